using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// Every run of the cluster with its latest status, so runs can be listed without activating (and so continuing)
/// each of them. One grain per cluster, key <see cref="Key"/>; each run grain reports its own status changes.
/// </summary>
[Alias("grpo.IRunRegistryGrain")]
public interface IRunRegistryGrain : IGrainWithStringKey
{
    public const string Key = "runs";

    /// <summary>Records the run's status, replacing what was recorded for it before.</summary>
    [Alias("Record")] Task RecordAsync(RunStatus status);

    /// <summary>Every recorded run, oldest start first.</summary>
    [Alias("List")] Task<RunStatus[]> ListAsync();
}
