using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using Grpo.Core.Training;
using Grpo.Grains.Runs;

namespace Grpo.Configuration.Tests;

/// <summary>Each configuration name reaches the Core option it names, and an unvalidated unknown name is refused, never defaulted.</summary>
public sealed class RunOptionsMappingTests
{
    [Theory]
    [InlineData("k1", KlEstimator.K1)]
    [InlineData("k2", KlEstimator.K2)]
    [InlineData("k3", KlEstimator.K3)]
    public void Kl_estimator_names_map(string name, KlEstimator expected)
    {
        Assert.Equal(expected, RunOptions.Objective(RunConfigLoader.Parse($$"""{ "kl_estimator": "{{name}}" }""", "x.json")).Kl);
    }

    [Theory]
    [InlineData("grpo", LossType.Grpo)]
    [InlineData("bnpo", LossType.Bnpo)]
    [InlineData("dapo", LossType.Dapo)]
    [InlineData("dr_grpo", LossType.DrGrpo)]
    public void Loss_type_names_map(string name, LossType expected)
    {
        Assert.Equal(expected, RunOptions.Objective(new RunConfig { LossType = name }).Loss);
    }

    [Theory]
    [InlineData("grpo", ScaleRewards.Group)]
    [InlineData("""{"name": "grpo", "scale": "group"}""", ScaleRewards.Group)]
    [InlineData("""{"name": "grpo", "scale": "batch"}""", ScaleRewards.Batch)]
    [InlineData("""{"name": "grpo", "scale": "none"}""", ScaleRewards.None)]
    public void Advantage_estimator_scale_maps(string json, ScaleRewards expected)
    {
        var value = json.StartsWith('{') ? json : $"\"{json}\"";
        Assert.Equal(expected, RunOptions.Scale(RunConfigLoader.Parse($$"""{ "advantage_estimator": {{value}} }""", "x.json")));
    }

    [Fact]
    public void Plain_choices_map_to_the_core_enums()
    {
        Assert.Equal(ImportanceSampling.Sequence, RunOptions.Objective(new RunConfig { ImportanceSampling = "sequence" }).ImportanceSampling);
        Assert.Equal(ImportanceSampling.Token, RunOptions.Objective(new RunConfig()).ImportanceSampling);
        Assert.Equal(LearningRateScheduleKind.Constant, RunOptions.Learner(new RunConfig { LrSchedule = "constant" }).LearningRate.Kind);
        Assert.Equal(LearningRateScheduleKind.WarmupCosine, RunOptions.Learner(new RunConfig()).LearningRate.Kind);
    }

    [Fact]
    public void An_unknown_name_that_skipped_validation_is_refused_with_its_key()
    {
        Assert.Equal("loss_type", Assert.Throws<ComponentException>(() => RunOptions.Objective(new RunConfig { LossType = "sapo" })).Path);
        Assert.Equal("policy_loss", Assert.Throws<ComponentException>(() => RunOptions.Objective(new RunConfig { PolicyLoss = "sapo" })).Path);
        Assert.Equal("importance_sampling", Assert.Throws<ComponentException>(() => RunOptions.Objective(new RunConfig { ImportanceSampling = "tok" })).Path);
        Assert.Equal("lr_schedule", Assert.Throws<ComponentException>(() => RunOptions.Learner(new RunConfig { LrSchedule = "cosine" })).Path);
    }
}
