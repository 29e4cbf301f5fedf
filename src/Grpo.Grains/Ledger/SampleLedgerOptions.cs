namespace Grpo.Grains.Ledger;

/// <summary>How a silo's sample ledger writes: batch size and the backoff while the database does not answer.</summary>
public sealed record SampleLedgerOptions
{
    /// <summary>Most rows one write carries (whole steps; a larger step goes alone).</summary>
    public int BatchRows { get; init; } = 4096;

    /// <summary>The first retry's delay after a failed write; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a learner that goes away (or a silo that stops) waits for its waiting rows to be written.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a checkpoint waits for the rows recorded before it to be written while the database answers (see
    /// <see cref="RunSampleLedger.SettleBeforeCheckpointAsync"/>); a database that fails is not waited for at all.
    /// </summary>
    public TimeSpan CheckpointWait { get; init; } = TimeSpan.FromSeconds(5);
}
