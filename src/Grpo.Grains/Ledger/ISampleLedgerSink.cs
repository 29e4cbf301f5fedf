namespace Grpo.Grains.Ledger;

/// <summary>Where ledger rows are stored: the cluster database in a cluster, anything else for tests.</summary>
public interface ISampleLedgerSink
{
    /// <summary>
    /// Stores <paramref name="steps"/> at once, each replacing whatever rows its run and step had: a step trained again
    /// (after a learner restore) ends up with exactly the rows of its last training. Throws when nothing was stored;
    /// the caller retries the same steps.
    /// </summary>
    Task WriteAsync(IReadOnlyList<LedgerStep> steps, CancellationToken cancellationToken);
}
