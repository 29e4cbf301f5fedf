using System.Text.Json;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using Grpo.Core.Training;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

/// <summary>Micro-batches accumulate exactly the minibatch's gradient and loss, whatever the loss aggregation.</summary>
public sealed class GradientAccumulationTests
{
    static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

    // Mixed lengths so per-completion and per-token normalisations differ; one truncated completion (masked out) so the
    // token count is not simply the sum of lengths; shifted behaviour log-probs so ratios leave 1 and some are clipped.
    static readonly int[] PromptLengths = [2, 4, 3, 2, 5];
    static readonly int[] CompletionLengths = [1, 5, 3, 6, 2];
    static readonly float[] Advantages = [1f, -0.5f, 0.8f, -1.2f, 0.3f];
    static readonly float[] OffPolicy = [0.3f, -0.3f, 0.05f, 0.25f, -0.1f];
    static readonly bool[] Truncated = [false, false, true, false, false];

    public static TheoryData<string, float, int> Cases()
    {
        var cases = new TheoryData<string, float, int>();
        foreach (var lossType in new[] { "grpo", "bnpo", "dapo", "dr_grpo" })
            foreach (var beta in new[] { 0f, 0.1f })
                foreach (var micro in new[] { 1, 2, 3 })
                    cases.Add(lossType, beta, micro);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Micro_batches_accumulate_the_minibatch_gradient_and_loss(string lossType, float beta, int microBatchSize)
    {
        using var policy = TinyModel(21);
        using var reference = beta > 0 ? ReferencePolicy.FrozenCopy(TinyModel(22)) : null;
        var objective = GrpoOptions.FromRegistries(Registries, aggregation: (lossType, new ComponentArguments("loss_type", new Dictionary<string, JsonElement>())))
            with { Beta = beta, MaxCompletionTokens = CompletionLengths.Max() };
        using var learner = new GrpoLearner(policy, reference, new LearnerOptions { Objective = objective, MaskTruncated = true }, padTokenId: 0);
        var samples = Scored(policy, PromptLengths, CompletionLengths, Advantages, OffPolicy, Truncated);

        var whole = learner.MinibatchGradient(samples, samples.Length);
        var expected = Gradients(policy);
        var accumulated = learner.MinibatchGradient(samples, microBatchSize);
        var actual = Gradients(policy);

        Assert.True(expected.Any(g => g != 0f), "the one-shot gradient must not be zero");
        var scale = Math.Max(1f, expected.Max(MathF.Abs));
        var worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(worst <= 1e-6f * scale, $"largest gradient difference {worst} (largest gradient {scale})");
        Assert.Equal(whole.Loss, accumulated.Loss, 1e-6f);
        Assert.Equal(whole.MeanKl, accumulated.MeanKl, 1e-6f);
        Assert.Equal(whole.ClipFractionLow, accumulated.ClipFractionLow, 1e-6f);
        Assert.Equal(whole.ClipFractionHigh, accumulated.ClipFractionHigh, 1e-6f);
        Assert.Equal(whole.RatioMin, accumulated.RatioMin, 1e-6f);
        Assert.Equal(whole.RatioMax, accumulated.RatioMax, 1e-6f);
        Assert.Equal(whole.MeanCompletionLength, accumulated.MeanCompletionLength, 1e-6f);
        Assert.True(whole.ClipFraction > 0, "the samples are meant to clip some tokens");
    }

    [Fact]
    public void Micro_batches_still_make_one_update_per_minibatch()
    {
        LearnerStepResult TrainWith(int microBatchSize, out float[] weights)
        {
            using var policy = TinyModel(23);
            using var learner = new GrpoLearner(policy, null, new LearnerOptions
            {
                Objective = new GrpoOptions { Beta = 0 }, MiniBatchSize = 4, MicroBatchSize = microBatchSize, NumIterations = 2,
                LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
                // Adam divides by sqrt(v) + ε: with the default ε a gradient element near 1e-9, whose sign is rounding noise
                // (libtorch sums in a thread-dependent order), moves its weight by a whole learning rate either way.
                Optimizer = new AdamWOptions { Epsilon = 1e-4 },
            }, padTokenId: 0);
            var result = learner.Train(Scored(policy, PromptLengths, CompletionLengths, Advantages, OffPolicy));
            Assert.Equal(result.OptimizerUpdates, learner.Optimizer.Step);
            weights = Weights(policy);
            return result;
        }

        var whole = TrainWith(0, out var wholeWeights);
        var micro = TrainWith(1, out var microWeights);

        Assert.Equal(4, whole.OptimizerUpdates); // 2 passes × ⌈5/4⌉ minibatches
        Assert.Equal(4, micro.OptimizerUpdates);
        Assert.Equal(whole.Loss, micro.Loss, 1e-5f);
        Assert.True(wholeWeights.Zip(microWeights, (a, b) => MathF.Abs(a - b)).Max() < 1e-5f, "both train the same weights");
    }
}
