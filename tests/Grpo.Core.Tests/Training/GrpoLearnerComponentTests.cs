using System.Text.Json;
using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

/// <summary>The learner trains with components selected by name, as a run configuration selects them.</summary>
public sealed class GrpoLearnerComponentTests
{
    static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

    static ComponentArguments NoParameters(string path) => new(path, new Dictionary<string, JsonElement>());

    [Theory]
    [InlineData("clip", "grpo", "k3")]
    [InlineData("cispo", "dapo", "low_var_kl")]
    [InlineData("sapo", "grpo", "k1")]
    [InlineData("sapo", "dr_grpo", "k2")]
    public void Each_policy_loss_raises_the_advantaged_completion_and_lowers_the_other(string policyLoss, string aggregation, string kl)
    {
        torch.manual_seed(11);
        using var policy = new CausalLM(ModelPresets.Tiny(20));
        using var reference = ReferencePolicy.FrozenCopy(policy);
        var objective = GrpoOptions.FromRegistries(Registries,
            policyLoss: (policyLoss, NoParameters("policy_loss")),
            aggregation: (aggregation, NoParameters("loss_type")),
            kl: (kl, NoParameters("kl_estimator"))) with { Beta = 0.01f, MaxCompletionTokens = 3 };
        using var learner = new GrpoLearner(policy, reference, new LearnerOptions
        {
            Objective = objective, NumIterations = 2, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);
        var before = Scored(policy, [1f, -1f]);

        var result = learner.Train(before);
        var after = Scored(policy, [1f, -1f]);

        Assert.Equal(2, result.OptimizerUpdates);
        Assert.True(float.IsFinite(result.Loss) && result.GradNorm > 0);
        Assert.True(after[0].BehaviourLogProbs.Sum() > before[0].BehaviourLogProbs.Sum(), "positive advantage must become likelier");
        Assert.True(after[1].BehaviourLogProbs.Sum() < before[1].BehaviourLogProbs.Sum(), "negative advantage must become less likely");
    }

    /// <summary>Two completions with their log-probs under <paramref name="model"/>, i.e. exactly on-policy.</summary>
    static CompletionSample[] Scored(CausalLM model, float[] advantages)
    {
        int[][] prompts = [[1, 3, 4], [1, 4, 4]];
        int[][] completions = [[5, 6, 2], [7, 6, 2]];
        using var noGrad = no_grad();
        var (logProbs, _) = SequenceLogProbs.Completions(model, prompts, completions, 1f, 0);
        return advantages.Select((advantage, i) => new CompletionSample(
            prompts[i], completions[i], logProbs[i].data<float>().ToArray(), advantage, false, 0)).ToArray();
    }
}
