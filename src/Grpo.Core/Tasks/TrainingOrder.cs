namespace Grpo.Core.Tasks;

/// <summary>
/// The order training examples are read in: the training set is reshuffled once per epoch (by seed and epoch) and
/// read in consecutive windows, so the same step always gives the same examples and each epoch visits every example
/// once. A batch crossing an epoch boundary takes the rest from the next epoch's order.
/// </summary>
public static class TrainingOrder
{
    public static IReadOnlyList<TaskExample> Batch(IReadOnlyList<TaskExample> train, int seed, long step, int count)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (train.Count == 0) throw new InvalidOperationException("The task has no training examples to batch.");
        var batch = new List<TaskExample>(count);
        var position = checked(step * count);
        long cachedEpoch = -1;
        int[] order = [];
        for (var k = 0; k < count; k++, position++)
        {
            var epoch = position / train.Count;
            if (epoch != cachedEpoch)
            {
                order = Enumerable.Range(0, train.Count).ToArray();
                new SplitMix64(SplitMix64.Mix(seed, epoch)).Shuffle(order);
                cachedEpoch = epoch;
            }
            batch.Add(train[order[position % train.Count]]);
        }
        return batch;
    }

    /// <summary>
    /// <paramref name="count"/> examples drawn with replacement by seed, step and round: dynamic sampling's fresh
    /// prompts, independent of the epoch order so they do not repeat the step's own batch.
    /// </summary>
    public static IReadOnlyList<TaskExample> Replacements(IReadOnlyList<TaskExample> train, int seed, long step, int round, int count)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (train.Count == 0) throw new InvalidOperationException("The task has no training examples to draw from.");
        var random = new SplitMix64(SplitMix64.Mix(seed, step, round, 0xD7A5));
        return [.. Enumerable.Range(0, count).Select(_ => train[random.NextInt(train.Count)])];
    }
}
