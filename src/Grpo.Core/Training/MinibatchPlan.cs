namespace Grpo.Core.Training;

/// <summary>
/// How a step's completions are cut into minibatches (one optimizer update each) and those into micro-batches (one
/// forward/backward pass each), in order or grouped by length, and how much of the forward batches is padding.
/// The plan is the same for every one of the μ passes.
/// </summary>
public sealed class MinibatchPlan
{
    MinibatchPlan(CompletionSample[][][] minibatches)
    {
        Minibatches = minibatches;
        long positions = 0, real = 0;
        foreach (var micro in minibatches.SelectMany(m => m))
        {
            // A forward row is [left-padded prompt | right-padded completion], as SequenceLogProbs builds it.
            positions += (long)micro.Length * (micro.Max(s => s.PromptTokens.Length) + micro.Max(s => s.CompletionTokens.Length));
            real += micro.Sum(s => (long)s.PromptTokens.Length + s.CompletionTokens.Length);
        }
        PaddingFraction = positions == 0 ? 0f : (float)((double)(positions - real) / positions);
    }

    /// <summary>Per minibatch, its micro-batches of completions.</summary>
    public IReadOnlyList<CompletionSample[][]> Minibatches { get; }

    /// <summary>Padded positions / all positions over the plan's forward batches.</summary>
    public float PaddingFraction { get; }

    /// <param name="groupByLength">
    /// Sort by total length (prompt + completion; ties by prompt length, then by position in the step) before cutting.
    /// </param>
    public static MinibatchPlan Create(IReadOnlyList<CompletionSample> samples, int miniBatchSize, int microBatchSize, bool groupByLength)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(miniBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchSize, 1);
        var ordered = groupByLength
            ? samples.Select((sample, index) => (Sample: sample, Index: index))
                .OrderBy(s => s.Sample.PromptTokens.Length + s.Sample.CompletionTokens.Length)
                .ThenBy(s => s.Sample.PromptTokens.Length)
                .ThenBy(s => s.Index)
                .Select(s => s.Sample).ToArray()
            : samples.ToArray();
        var minibatches = ordered.Chunk(miniBatchSize)
            .Select(minibatch => minibatch.Chunk(Math.Min(microBatchSize, minibatch.Length)).ToArray())
            .ToArray();
        return new MinibatchPlan(minibatches);
    }
}
