namespace Grpo.Grains.Rollout;

/// <summary>A snapshot of a rollout engine's counters, for metrics and benchmarks.</summary>
/// <param name="QueueDepth">Requests accepted but not yet part of a running batch.</param>
/// <param name="BatchesRun">Generation calls made (each one batched forward pass per decoding step).</param>
/// <param name="SequencesGenerated">Completions produced by those calls.</param>
/// <param name="TokensGenerated">Completion tokens produced by those calls.</param>
/// <param name="WeightPulls">Policy versions pulled and swapped in.</param>
/// <param name="PromptsPrefilled">Prompt prefills run: one per distinct prompt of a batch, since a group's samples share theirs.</param>
/// <param name="PolicyVersions">The policy version currently loaded, per run.</param>
public sealed record RolloutStats(
    int QueueDepth,
    long BatchesRun,
    long SequencesGenerated,
    long TokensGenerated,
    long WeightPulls,
    long PromptsPrefilled,
    IReadOnlyDictionary<string, long> PolicyVersions)
{
    public double MeanBatchSize => BatchesRun == 0 ? 0 : (double)SequencesGenerated / BatchesRun;
}
