using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

/// <summary>
/// The learner's memory options (chunked log-probs, activation checkpointing, micro-batches) reach the model and leave
/// the training unchanged: same loss, same weights after the updates, up to float rounding.
/// </summary>
public sealed class LearnerMemoryOptionsTests
{
    static readonly int[] PromptLengths = [2, 4, 3, 2, 5];
    static readonly int[] CompletionLengths = [1, 5, 3, 6, 2];
    static readonly float[] Advantages = [1f, -0.5f, 0.8f, -1.2f, 0.3f];
    static readonly float[] OffPolicy = [0.3f, -0.3f, 0.05f, 0.25f, -0.1f];

    static (LearnerStepResult Result, float[] Weights, bool Checkpointing) TrainWith(int chunk, bool checkpointing, int microBatchSize)
    {
        using var policy = TinyModel(31);
        using var reference = ReferencePolicy.FrozenCopy(TinyModel(32));
        using var learner = new GrpoLearner(policy, reference, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0.05f }, MiniBatchSize = 4, NumIterations = 2,
            LogProbChunkSize = chunk, GradientCheckpointing = checkpointing, MicroBatchSize = microBatchSize,
            LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
        }, padTokenId: 0);
        var result = learner.Train(Scored(policy, PromptLengths, CompletionLengths, Advantages, OffPolicy));
        return (result, Weights(policy), policy.GradientCheckpointing);
    }

    [Theory]
    [InlineData(3, false, 0)]
    [InlineData(0, true, 0)]
    [InlineData(2, true, 2)]
    public void Memory_options_train_the_same_weights(int chunk, bool checkpointing, int microBatchSize)
    {
        var plain = TrainWith(0, false, 0);
        var saving = TrainWith(chunk, checkpointing, microBatchSize);

        Assert.Equal(checkpointing, saving.Checkpointing);
        Assert.Equal(plain.Result.Loss, saving.Result.Loss, 1e-5f);
        Assert.Equal(plain.Result.MeanKl, saving.Result.MeanKl, 1e-5f);
        var worst = plain.Weights.Zip(saving.Weights, (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(worst < 1e-5f, $"largest weight difference {worst}");
        using var untrained = TinyModel(31);
        var moved = plain.Weights.Zip(Weights(untrained), (a, b) => MathF.Abs(a - b)).Max();
        Assert.True(moved > 1e-4f, "the updates must move the weights, or the comparison proves nothing");
    }
}
