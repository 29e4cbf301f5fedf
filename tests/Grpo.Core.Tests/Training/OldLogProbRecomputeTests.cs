using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Training;
using TorchSharp;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

/// <summary>old_logprobs: recompute, and the mismatch the learner reports with and without it.</summary>
public sealed class OldLogProbRecomputeTests
{
    static readonly int[] PromptLengths = [2, 4, 3, 2, 5];
    static readonly int[] CompletionLengths = [1, 5, 3, 6, 2];
    static readonly float[] Advantages = [1f, -0.5f, 0.8f, -1.2f, 0.3f];

    // The rollout's log-probs sit off[i] nats below the learner's on every token of completion i.
    static readonly float[] OffPolicy = [0.3f, -0.3f, 0.05f, 0.25f, -0.1f];

    static LearnerStepResult Train(OldLogProbSource source, float[]? offPolicy, IRolloutCorrection correction, int iterations, out float[] weights)
    {
        using var policy = TinyModel(31);
        // One minibatch in one micro-batch: the learner's forward rows are the rows the samples were scored in.
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0f, RolloutCorrection = correction },
            NumIterations = iterations,
            MiniBatchSize = PromptLengths.Length,
            OldLogProbs = source,
            LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
        }, padTokenId: 0);
        var result = learner.Train(Scored(policy, PromptLengths, CompletionLengths, Advantages, offPolicy));
        weights = Weights(policy);
        return result;
    }

    [Fact]
    public void Recompute_changes_nothing_when_the_rollout_log_probs_are_the_learners()
    {
        var rollout = Train(OldLogProbSource.Rollout, null, new NoRolloutCorrection(), iterations: 2, out var rolloutWeights);
        var recompute = Train(OldLogProbSource.Recompute, null, new NoRolloutCorrection(), iterations: 2, out var recomputeWeights);

        Assert.True(Math.Abs((double)rollout.Loss - recompute.Loss) <= 1e-9, $"loss {rollout.Loss:R} with rollout, {recompute.Loss:R} with recompute");
        var worst = rolloutWeights.Zip(recomputeWeights, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(worst <= 1e-9, $"largest weight difference {worst:R}");
        Assert.True(rollout.RolloutLogProbDelta <= 1e-9, $"mismatch {rollout.RolloutLogProbDelta:R}");
        Assert.True(recompute.RolloutLogProbDelta <= 1e-9, $"mismatch {recompute.RolloutLogProbDelta:R}");
        Assert.NotEqual(0f, rollout.GradNorm);
    }

    [Fact]
    public void Recompute_puts_the_first_update_on_policy_and_both_report_the_mismatch()
    {
        var rollout = Train(OldLogProbSource.Rollout, OffPolicy, new NoRolloutCorrection(), iterations: 1, out _);
        var recompute = Train(OldLogProbSource.Recompute, OffPolicy, new NoRolloutCorrection(), iterations: 1, out _);

        // Against the rollout the ratio is exp(off[i]); against the learner's own log-probs it is 1.
        Assert.Equal(MathF.Exp(-0.3f), rollout.RatioMin, 1e-5f);
        Assert.Equal(MathF.Exp(0.3f), rollout.RatioMax, 1e-5f);
        Assert.Equal(1f, recompute.RatioMin, 1e-6f);
        Assert.Equal(1f, recompute.RatioMax, 1e-6f);

        // Token-weighted over 17 tokens: Σ len·|off| = 0.3 + 1.5 + 0.15 + 1.5 + 0.2 = 3.65, and Σ len·(e^off − 1 − off).
        var tokens = CompletionLengths.Sum();
        var k3 = CompletionLengths.Select((length, i) => length * (Math.Exp(OffPolicy[i]) - 1 - OffPolicy[i])).Sum() / tokens;
        foreach (var result in new[] { rollout, recompute })
        {
            Assert.Equal(3.65 / tokens, result.RolloutLogProbDelta, 1e-5);
            Assert.Equal(k3, result.RolloutKl, 1e-5);
            Assert.Equal(0f, result.RolloutCorrectedFraction);
        }
    }

    [Fact]
    public void The_learner_reports_the_tokens_its_correction_truncated()
    {
        // Token TIS with C = 1.2: exp(0.3) = 1.35 (1 token) and exp(0.25) = 1.28 (6 tokens) are truncated: 7 of 17.
        var result = Train(OldLogProbSource.Recompute, OffPolicy, new TruncatedImportanceSampling { Cap = 1.2 }, iterations: 1, out _);
        var plain = Train(OldLogProbSource.Recompute, OffPolicy, new NoRolloutCorrection(), iterations: 1, out _);

        Assert.Equal(7.0 / 17, result.RolloutCorrectedFraction, 1e-6);
        Assert.NotEqual(plain.GradNorm, result.GradNorm);
    }

    [Fact]
    public void Recompute_with_lora_dropout_measures_the_policy_that_sampled_not_a_dropout_draw()
    {
        using var policy = TinyModel(31);
        torch.manual_seed(5);
        policy.ApplyLora(new LoraOptions { Rank = 2, Dropout = 0.5 });
        // lora_B starts at zero, where dropout on the adapter's input changes nothing: give the adapters a product.
        using (torch.no_grad())
            foreach (var (name, parameter) in policy.named_parameters().Where(p => p.name.EndsWith("lora_B.weight", StringComparison.Ordinal)))
                parameter.normal_(0, 0.5);
        // The rollout scores in eval mode, as the engine decodes; the learner's policy trains in training mode.
        policy.eval();
        var samples = Scored(policy, PromptLengths, CompletionLengths, Advantages);
        policy.train();
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0f },
            MiniBatchSize = PromptLengths.Length,
            OldLogProbs = OldLogProbSource.Recompute,
            LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
        }, padTokenId: 0);

        var result = learner.Train(samples);

        Assert.True(result.RolloutLogProbDelta <= 1e-6, $"mismatch {result.RolloutLogProbDelta:R}: the recompute drew a dropout mask");
        Assert.True(policy.training, "the recompute left the policy out of training mode");
        // The update itself still trains with dropout: its ratio against the recomputed π_old is not exactly 1.
        Assert.True(result.RatioMin < 1f - 1e-4f || result.RatioMax > 1f + 1e-4f, $"ratio {result.RatioMin:R} to {result.RatioMax:R}");
    }
}
