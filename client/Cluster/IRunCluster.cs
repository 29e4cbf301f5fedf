using Grpo.Abstractions.Grains;

namespace Grpo.Client.Cluster;

/// <summary>A live connection to a cluster that hosts runs; disposing it disconnects the client, never the runs.</summary>
public interface IRunCluster : IAsyncDisposable
{
    IRunGrain GetRun(string runId);

    /// <summary>The cluster's list of runs; reading it activates no run.</summary>
    IRunRegistryGrain GetRegistry();

    /// <summary>Orleans' management grain, for the silos of the cluster and their membership state (the dashboard's cluster view).</summary>
    IManagementGrain GetManagement();
}
