using Microsoft.Extensions.Logging;

namespace Grpo.Grains.Ledger;

/// <summary>
/// The silo's sample ledger: opens one <see cref="RunSampleLedger"/> per run whose learner lives here. A silo without
/// a database to write to (no <see cref="ISampleLedgerSink"/> registered: localhost clustering, in-memory storage)
/// refuses a run with sample_ledger rather than pretending to record it.
/// </summary>
public sealed class SampleLedger(ILoggerFactory loggers, SampleLedgerOptions? options = null, ISampleLedgerSink? sink = null)
{
    readonly SampleLedgerOptions settings = options ?? new SampleLedgerOptions();
    readonly ILogger logger = loggers.CreateLogger<SampleLedger>();

    public bool CanRecord => sink is not null;

    /// <exception cref="InvalidOperationException">The silo has no database to record samples in.</exception>
    public RunSampleLedger Open(string runId, int bufferRows, string silo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        if (sink is null)
            throw new InvalidOperationException(
                $"run {runId}: sample_ledger is on, but learner silo {silo} has no cluster database to record samples in; start the silos with a PostgreSQL cluster (--cluster) or set sample_ledger to false.");
        return new RunSampleLedger(runId, sink, bufferRows, settings, logger);
    }
}
