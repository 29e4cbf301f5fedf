using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using Grpo.Core.Training;
using Grpo.Grains.Runs;

namespace Grpo.Configuration.Tests;

/// <summary>Each configuration name reaches the registered component it names, and an unvalidated unknown name is refused, never defaulted.</summary>
public sealed class RunOptionsMappingTests
{
    [Theory]
    [InlineData("k1", typeof(K1KlEstimator))]
    [InlineData("k2", typeof(K2KlEstimator))]
    [InlineData("k3", typeof(K3KlEstimator))]
    [InlineData("low_var_kl", typeof(LowVarKlEstimator))]
    public void Kl_estimator_names_select_their_class(string name, Type expected) =>
        Assert.IsType(expected, RunOptions.Objective(RunConfigLoader.Parse($$"""{ "kl_estimator": "{{name}}" }""", "x.json")).Kl);

    [Theory]
    [InlineData("grpo", typeof(GrpoAggregation))]
    [InlineData("bnpo", typeof(TokenMeanAggregation))]
    [InlineData("dapo", typeof(TokenMeanAggregation))]
    [InlineData("dr_grpo", typeof(DrGrpoAggregation))]
    public void Loss_type_names_select_their_class(string name, Type expected) =>
        Assert.IsType(expected, RunOptions.Objective(new RunConfig { LossType = name }).Aggregation);

    [Theory]
    [InlineData("clip", typeof(ClipPolicyLoss))]
    [InlineData("cispo", typeof(CispoPolicyLoss))]
    [InlineData("sapo", typeof(SapoPolicyLoss))]
    public void Policy_loss_names_select_their_class(string name, Type expected) =>
        Assert.IsType(expected, RunOptions.Objective(new RunConfig { PolicyLoss = name }).PolicyLoss);

    [Theory]
    [InlineData("grpo", "group")]
    [InlineData("""{"name": "grpo", "scale": "group"}""", "group")]
    [InlineData("""{"name": "grpo", "scale": "batch"}""", "batch")]
    [InlineData("""{"name": "grpo", "scale": "none"}""", "none")]
    public void Advantage_estimator_scale_reaches_the_estimator(string json, string expected)
    {
        var value = json.StartsWith('{') ? json : $"\"{json}\"";
        var estimator = RunOptions.Advantages(RunConfigLoader.Parse($$"""{ "advantage_estimator": {{value}} }""", "x.json"));
        Assert.Equal(expected, Assert.IsType<GrpoAdvantageEstimator>(estimator).Scale);
    }

    [Theory]
    [InlineData("rloo", typeof(RlooAdvantageEstimator))]
    [InlineData("reinforce_pp_baseline", typeof(ReinforcePlusPlusBaselineAdvantageEstimator))]
    public void Advantage_estimator_names_select_their_class(string name, Type expected) =>
        Assert.IsType(expected, RunOptions.Advantages(new RunConfig { AdvantageEstimator = name }));

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
        Assert.Equal("policy_loss", Assert.Throws<ComponentException>(() => RunOptions.Objective(new RunConfig { PolicyLoss = "sapo2" })).Path);
        Assert.Equal("advantage_estimator", Assert.Throws<ComponentException>(() => RunOptions.Advantages(new RunConfig { AdvantageEstimator = "ppo" })).Path);
        Assert.Equal("importance_sampling", Assert.Throws<ComponentException>(() => RunOptions.Objective(new RunConfig { ImportanceSampling = "tok" })).Path);
        Assert.Equal("lr_schedule", Assert.Throws<ComponentException>(() => RunOptions.Learner(new RunConfig { LrSchedule = "cosine" })).Path);
        Assert.Equal("learner_compute_dtype", Assert.Throws<ComponentException>(() => RunOptions.Learner(new RunConfig { LearnerComputeDtype = "fp16" })).Path);
    }

    [Fact]
    public void Learner_memory_and_precision_keys_reach_the_learner_options()
    {
        var options = RunOptions.Learner(new RunConfig
        {
            MicroBatchSize = 16, GroupByLength = true, LearnerComputeDtype = "bfloat16", LogProbChunkSize = 256, GradientCheckpointing = true,
        });

        Assert.Equal(16, options.MicroBatchSize);
        Assert.True(options.GroupByLength);
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, options.ComputeDtype);
        Assert.Equal(256, options.LogProbChunkSize);
        Assert.True(options.GradientCheckpointing);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, RunOptions.Learner(new RunConfig()).ComputeDtype);
    }
}
