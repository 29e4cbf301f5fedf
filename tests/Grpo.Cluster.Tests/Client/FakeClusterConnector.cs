using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Cluster;

namespace Grpo.Cluster.Tests.Client;

/// <summary>A cluster made of scripted runs; ids it does not know are runs that were never started.</summary>
internal sealed class FakeClusterConnector : IClusterConnector
{
    public Dictionary<string, ScriptedRunGrain> Runs { get; } = [];
    public List<ClusterTarget> Connections { get; } = [];
    public Exception? ConnectFailure { get; init; }

    /// <summary>Called with the attempt's number (1-based) before each connection attempt.</summary>
    public Action<int>? OnConnect { get; init; }

    /// <summary>Failures of the next connection attempts, one per attempt, before they succeed again.</summary>
    public Queue<Exception> NextConnectFailures { get; } = [];

    /// <summary>Thrown by the registry's list call, as a silo lost mid-call would.</summary>
    public Exception? ListFailure { get; init; }

    /// <summary>Failures of the next list calls, one per call, before they succeed again.</summary>
    public Queue<Exception> NextListFailures { get; } = [];
    public int Disconnects { get; private set; }

    public Task<IRunCluster> ConnectAsync(ClusterTarget target, CancellationToken cancellationToken)
    {
        Connections.Add(target);
        OnConnect?.Invoke(Connections.Count);
        if (ConnectFailure is not null)
        {
            throw ConnectFailure;
        }

        if (NextConnectFailures.TryDequeue(out var failure))
        {
            throw failure;
        }

        return Task.FromResult<IRunCluster>(new FakeCluster(this));
    }

    private sealed class FakeCluster(FakeClusterConnector owner) : IRunCluster
    {
        public IRunGrain GetRun(string runId)
        {
            if (!owner.Runs.TryGetValue(runId, out var run))
            {
                run = new ScriptedRunGrain(runId, totalSteps: 6);
                owner.Runs[runId] = run;
            }

            return run;
        }

        public IRunRegistryGrain GetRegistry() => new FakeRunRegistry(owner);

        public IManagementGrain GetManagement() => throw new NotSupportedException("a scripted cluster has runs but no silos to list.");

        public ValueTask DisposeAsync()
        {
            owner.Disconnects++;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Lists the started scripted runs as they stand, like the registry the run grains report to.</summary>
    private sealed class FakeRunRegistry(FakeClusterConnector owner) : IRunRegistryGrain
    {
        public Task RecordAsync(RunStatus status) => throw new NotSupportedException("clients only read the registry.");

        public Task<RunStatus[]> ListAsync()
        {
            if (owner.ListFailure is not null)
            {
                throw owner.ListFailure;
            }

            if (owner.NextListFailures.TryDequeue(out var failure))
            {
                throw failure;
            }

            return Task.FromResult(owner.Runs.Values.Select(run => run.Current).Where(status => status.State != RunState.NotStarted)
                .OrderBy(status => status.StartedAt).ToArray());
        }
    }
}
