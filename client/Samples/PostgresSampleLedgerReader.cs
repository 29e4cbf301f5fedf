using Grpo.Hosting.Ledger;

namespace Grpo.Client.Samples;

/// <summary>Reads the ledger table of the cluster database directly; no silo needs to be running.</summary>
public sealed class PostgresSampleLedgerReader : ISampleLedgerReader
{
    public Task<IReadOnlyList<LedgerSample>> ReadAsync(string connectionString, LedgerFilter filter, CancellationToken cancellationToken) =>
        SampleLedgerQuery.ReadAsync(connectionString, filter, cancellationToken);

    public Task<long> CountAsync(string connectionString, string runId, CancellationToken cancellationToken) =>
        SampleLedgerQuery.CountAsync(connectionString, runId, cancellationToken);

    public Task<int> DeleteRunAsync(string connectionString, string runId, CancellationToken cancellationToken) =>
        SampleLedgerQuery.DeleteRunAsync(connectionString, runId, cancellationToken);
}
