using Grpo.Hosting.Ledger;

namespace Grpo.Client.Samples;

/// <summary>The sample ledger as <c>grpo samples</c> reads it: the cluster database, or a stand-in in tests.</summary>
public interface ISampleLedgerReader
{
    /// <exception cref="Grpo.Hosting.ClusterConfigurationException">The database cannot be used or has no ledger table.</exception>
    Task<IReadOnlyList<LedgerSample>> ReadAsync(string connectionString, LedgerFilter filter, CancellationToken cancellationToken);

    Task<long> CountAsync(string connectionString, string runId, CancellationToken cancellationToken);

    Task<int> DeleteRunAsync(string connectionString, string runId, CancellationToken cancellationToken);
}
