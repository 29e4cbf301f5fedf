using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

/// <summary>
/// The learner's memory options (chunked log-probs, activation checkpointing, micro-batches) reach the model and leave
/// the minibatch's loss and gradient unchanged, up to float rounding.
/// </summary>
public sealed class LearnerMemoryOptionsTests
{
    static readonly int[] PromptLengths = [2, 4, 3, 2, 5];
    static readonly int[] CompletionLengths = [1, 5, 3, 6, 2];
    static readonly float[] Advantages = [1f, -0.5f, 0.8f, -1.2f, 0.3f];
    static readonly float[] OffPolicy = [0.3f, -0.3f, 0.05f, 0.25f, -0.1f];

    static (GrpoStats Stats, float[] Gradient, bool Checkpointing) GradientWith(int chunk, bool checkpointing, int microBatchSize)
    {
        using var policy = TinyModel(31);
        using var reference = ReferencePolicy.FrozenCopy(TinyModel(32));
        using var learner = new GrpoLearner(policy, reference, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0.05f }, LogProbChunkSize = chunk, GradientCheckpointing = checkpointing,
        }, padTokenId: 0);
        var samples = Scored(policy, PromptLengths, CompletionLengths, Advantages, OffPolicy);
        var stats = learner.MinibatchGradient(samples, microBatchSize == 0 ? samples.Length : microBatchSize);
        return (stats, Gradients(policy), policy.GradientCheckpointing);
    }

    [Theory]
    [InlineData(3, false, 0)]
    [InlineData(0, true, 0)]
    [InlineData(2, true, 2)]
    public void Memory_options_give_the_same_loss_and_gradient(int chunk, bool checkpointing, int microBatchSize)
    {
        var plain = GradientWith(0, false, 0);
        var saving = GradientWith(chunk, checkpointing, microBatchSize);

        Assert.Equal(checkpointing, saving.Checkpointing);
        Assert.Equal(plain.Stats.Loss, saving.Stats.Loss, 1e-6f);
        Assert.Equal(plain.Stats.MeanKl, saving.Stats.MeanKl, 1e-6f);
        Assert.True(plain.Gradient.Any(g => g != 0f), "the gradient must not be zero, or the comparison proves nothing");
        var scale = Math.Max(1f, plain.Gradient.Max(MathF.Abs));
        var worst = plain.Gradient.Zip(saving.Gradient, (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5f * scale, $"largest gradient difference {worst} (largest gradient {scale})");
    }
}
