using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

public sealed class LengthGroupingTests
{
    // Prompts of 2 tokens and completions of 1, 4, 2, 5 tokens, two per forward batch. In order: {1, 4} is 2 rows × 6
    // columns with 3 + 6 real positions, {2, 5} is 2 × 7 with 4 + 7: padding (3 + 3) / 26. Grouped by length:
    // {1, 2} is 2 × 4 with 3 + 4, {4, 5} is 2 × 7 with 6 + 7: padding (1 + 1) / 22.
    [Theory]
    [InlineData(2, 0, false, 6.0 / 26)]
    [InlineData(2, 0, true, 2.0 / 22)]
    [InlineData(4, 2, false, 6.0 / 26)]
    [InlineData(4, 2, true, 2.0 / 22)]
    public void Grouping_by_length_reduces_the_padding_of_the_forward_batches(int miniBatchSize, int microBatchSize, bool groupByLength, double expected)
    {
        using var policy = TinyModel(31);
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, MiniBatchSize = miniBatchSize, MicroBatchSize = microBatchSize,
            GroupByLength = groupByLength, NumIterations = 2,
        }, padTokenId: 0);

        var result = learner.Train(Scored(policy, [2, 2, 2, 2], [1, 4, 2, 5], [1f, -1f, 0.5f, -0.5f]));

        Assert.Equal(expected, result.PaddingFraction, 6);
    }

    [Fact]
    public void Grouping_is_by_total_length_and_keeps_the_step_order_between_equals()
    {
        using var policy = TinyModel(32);
        var samples = Scored(policy, [3, 1, 2, 1], [1, 2, 2, 3], [1f, -1f, 0.5f, -0.5f]);

        var plan = MinibatchPlan.Create(samples, miniBatchSize: 2, microBatchSize: 1, groupByLength: true);

        // Totals 4, 3, 4, 4: the 3 first, then the fours by prompt length (1, 2, 3).
        Assert.Equal([samples[1], samples[3], samples[2], samples[0]], plan.Minibatches.SelectMany(m => m).SelectMany(m => m));
        Assert.All(plan.Minibatches, minibatch => Assert.Equal(2, minibatch.Length));
    }
}
