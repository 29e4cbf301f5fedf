using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

public sealed class GrpoLearnerUpdateTests
{
    static CausalLM TinyModel(int seed)
    {
        torch.manual_seed(seed);
        return new CausalLM(ModelPresets.Tiny(20));
    }

    /// <summary>Completions scored with their true log-probs under the model, i.e. exactly on-policy.</summary>
    static CompletionSample[] OnPolicySamples(CausalLM model, float[] advantages, bool truncated = false)
    {
        var prompts = advantages.Select((_, i) => new[] { 1, 3 + i, 4 }).ToArray();
        var completions = advantages.Select((_, i) => new[] { 5 + i % 3, 6, 2 }).ToArray();
        using var noGrad = no_grad();
        var (logProbs, _) = SequenceLogProbs.Completions(model, prompts, completions, 1f, 0);
        return advantages.Select((a, i) => new CompletionSample(
            prompts[i], completions[i], logProbs[i].data<float>().ToArray(), a, truncated, 0)).ToArray();
    }

    static float[] Flatten(CausalLM model) =>
        model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();

    [Fact]
    public void First_on_policy_update_has_ratio_one_and_moves_the_weights()
    {
        using var policy = TinyModel(1);
        var samples = OnPolicySamples(policy, [1f, -1f, 0.5f, -0.5f]);
        var before = Flatten(policy);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);

        var result = learner.Train(samples);

        Assert.Equal(1f, result.RatioMin, 4);
        Assert.Equal(1f, result.RatioMax, 4);
        Assert.Equal(1, result.OptimizerUpdates);
        Assert.True(result.GradNorm > 0);
        Assert.Equal(12, result.TrainedTokens);
        Assert.NotEqual(before, Flatten(policy));
    }

    [Fact]
    public void Mu_passes_and_minibatches_multiply_the_updates()
    {
        using var policy = TinyModel(2);
        var samples = OnPolicySamples(policy, [1f, -1f, 0.5f, -0.5f, 0.2f]);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, NumIterations = 3, MiniBatchSize = 2,
            LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);

        var result = learner.Train(samples);

        Assert.Equal(9, result.OptimizerUpdates); // 3 passes × ⌈5/2⌉ minibatches
        Assert.Equal(9, learner.Optimizer.Step);
        Assert.True(result.RatioMin < 1f || result.RatioMax > 1f, "later passes must see the policy move away from π_old");
    }

    [Fact]
    public void Raising_the_advantaged_completion_raises_its_log_probability()
    {
        using var policy = TinyModel(3);
        var samples = OnPolicySamples(policy, [1f, -1f]);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);
        learner.Train(samples);

        var after = OnPolicySamples(policy, [1f, -1f]);
        Assert.True(after[0].BehaviourLogProbs.Sum() > samples[0].BehaviourLogProbs.Sum(), "positive advantage must become likelier");
        Assert.True(after[1].BehaviourLogProbs.Sum() < samples[1].BehaviourLogProbs.Sum(), "negative advantage must become less likely");
    }

    [Fact]
    public void Truncated_completions_are_masked_out_when_asked()
    {
        using var policy = TinyModel(4);
        var samples = OnPolicySamples(policy, [1f, -1f], truncated: true);
        var before = Flatten(policy);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, MaskTruncated = true, MaxGradNorm = 0,
            LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);

        var result = learner.Train(samples);

        Assert.Equal(0f, result.GradNorm);
        Assert.Equal(before, Flatten(policy));
    }

    [Fact]
    public void With_beta_the_frozen_reference_keeps_its_weights_and_KL_appears()
    {
        using var policy = TinyModel(5);
        using var reference = ReferencePolicy.FrozenCopy(policy);
        var referenceBefore = Flatten(reference);
        using var learner = new GrpoLearner(policy, reference, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0.1f }, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
        }, padTokenId: 0);

        learner.Train(OnPolicySamples(policy, [1f, -1f]));
        var second = learner.Train(OnPolicySamples(policy, [1f, -1f]));

        Assert.Equal(referenceBefore, Flatten(reference));
        Assert.True(second.MeanKl > 0, "after one update the policy differs from the reference");
    }

    [Fact]
    public void Beta_without_a_reference_is_refused()
    {
        using var policy = TinyModel(6);
        var error = Assert.Throws<ArgumentException>(() =>
            new GrpoLearner(policy, null, new LearnerOptions { Objective = new GrpoOptions { Beta = 0.04f } }, 0));
        Assert.Contains("reference", error.Message);
    }

    [Fact]
    public void Samples_with_mismatched_log_probs_are_refused_by_index()
    {
        using var policy = TinyModel(7);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions { Objective = new GrpoOptions { Beta = 0 } }, 0);
        var bad = new CompletionSample([1, 2], [3, 4, 2], [-1f, -1f], 1f, false, 0);
        var error = Assert.Throws<ArgumentException>(() => learner.Train([bad]));
        Assert.Contains("completion sample 0", error.Message);
        Assert.Throws<ArgumentException>(() => learner.Train([]));
    }
}
