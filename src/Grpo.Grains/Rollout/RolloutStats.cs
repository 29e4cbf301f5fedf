namespace Grpo.Grains.Rollout;

/// <summary>A snapshot of a rollout engine's counters, for metrics and benchmarks.</summary>
/// <param name="QueueDepth">Requests accepted but not yet admitted to the decoding rows.</param>
/// <param name="Admissions">
/// Admissions: the times requests joined the decoding rows, as the first batch of a round or as waiting groups let into
/// free slots between decode iterations.
/// </param>
/// <param name="SequencesGenerated">Completions produced.</param>
/// <param name="TokensGenerated">Completion tokens produced.</param>
/// <param name="WeightPulls">Policy versions pulled and swapped in.</param>
/// <param name="PromptsPrefilled">Prompt prefills run: one per admitted group of identical prompts, since a group's samples share theirs.</param>
/// <param name="PolicyVersions">The policy version currently loaded, per run.</param>
public sealed record RolloutStats(
    int QueueDepth,
    long Admissions,
    long SequencesGenerated,
    long TokensGenerated,
    long WeightPulls,
    long PromptsPrefilled,
    IReadOnlyDictionary<string, long> PolicyVersions)
{
    /// <summary>Requests admitted into free slots while other rows were still decoding (continuous batching at work).</summary>
    public long JoinedWhileDecoding { get; init; }

    /// <summary>Newer policy versions loaded under rows still decoding (partial_rollouts), each switching those rows to it.</summary>
    public long SwitchesWhileDecoding { get; init; }

    /// <summary>Rows whose keys and values were recomputed with a newer version's weights, summed over those switches.</summary>
    public long RowsSwitched { get; init; }

    /// <summary>
    /// Decode slots taken now: requests of the batch being served that have not finished (decoding, or waiting for the
    /// batch's weights to load).
    /// </summary>
    public int BusySlots { get; init; }

    /// <summary>Decode slots of the batch being served (its run's rollout_max_batch), or of the last one while the engine idles; 0 before the first.</summary>
    public int SlotCapacity { get; init; }

    /// <summary>Completions per admission: how many sequences joined the decoding rows at a time, on average.</summary>
    public double MeanSequencesPerAdmission => Admissions == 0 ? 0 : (double)SequencesGenerated / Admissions;
}
