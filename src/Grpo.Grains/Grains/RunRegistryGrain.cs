using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Grpo.Grains;

/// <summary>
/// The cluster's list of runs, kept in the run storage beside the runs themselves. Run grains report each status
/// change; listing reads only this grain, so it neither activates nor continues any run.
/// </summary>
public sealed class RunRegistryGrain(
    ILogger<RunRegistryGrain> logger,
    [PersistentState("registry", RunStorage.Name)] IPersistentState<RunRegistryRecord> record) : Grain, IRunRegistryGrain
{
    public async Task RecordAsync(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (string.IsNullOrEmpty(status.RunId)) throw new ArgumentException("a run status without a run id cannot be recorded.", nameof(status));
        if (record.State.Runs.TryGetValue(status.RunId, out var known) && known == status) return;
        record.State.Runs[status.RunId] = status;
        try
        {
            await WriteAsync();
        }
        catch (InconsistentStateException e)
        {
            // Another activation wrote the registry meanwhile: take its entries and add this one, rather than lose either.
            logger.LogWarning(e, "The run registry changed under this activation; merging run {Run} into the stored list.", status.RunId);
            await record.ReadStateAsync();
            record.State.Runs[status.RunId] = status;
            await WriteAsync();
        }
    }

    Task WriteAsync() => GrpoResilience.DatabaseCalls("Run registry write", logger).ExecuteOnCallerContextAsync(_ => record.WriteStateAsync());

    public Task<RunStatus[]> ListAsync() =>
        Task.FromResult(record.State.Runs.Values.OrderBy(s => s.StartedAt).ThenBy(s => s.RunId, StringComparer.Ordinal).ToArray());
}
