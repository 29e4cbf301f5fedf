using System.Text.Json;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Output;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Hosting;

namespace Grpo.Client.Cluster;

/// <summary>
/// <c>grpo submit</c>, <c>watch</c>, <c>status</c> and <c>stop</c> against a running cluster. Each connects, acts on
/// one run and disconnects; the run itself lives in the cluster and never depends on this client.
/// </summary>
public sealed class ClusterCommands(IClusterConnector connector, RunWatcher watcher, TextWriter output, TextWriter error)
{
    /// <summary>Starts a validated run and prints its id; an id that is already taken is refused, not re-attached.</summary>
    public Task<int> SubmitAsync(ClusterTarget target, TrainArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return WithRunAsync(target, arguments.RunId, async run =>
        {
            // StartAsync on an existing run returns its status and ignores the new configuration; say so instead.
            var existing = await run.GetStatusAsync();
            if (existing.State != RunState.NotStarted)
            {
                error.WriteLine($"grpo: run {arguments.RunId} already exists ({existing.State}); choose another --run-id.");
                return ExitCodes.RunFailed;
            }

            var status = await run.StartAsync(arguments.Config);
            if (status.State == RunState.Failed)
            {
                error.WriteLine($"grpo: run {arguments.RunId} failed to start: {status.Error}");
                return ExitCodes.RunFailed;
            }

            output.WriteLine(arguments.RunId);
            return ExitCodes.Success;
        }, cancellationToken);
    }

    /// <summary>Follows a run to its end, writing its outputs; cancelling stops the watching, not the run.</summary>
    public Task<int> WatchAsync(ClusterTarget target, WatchTarget watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        return WithRunAsync(target, watch.RunId, async run =>
        {
            if (await FindAsync(run, watch.RunId) is null)
            {
                return ExitCodes.RunFailed;
            }

            return await watcher.WatchAsync(watch with { StartWith = null }, run, cancellationToken);
        }, cancellationToken);
    }

    /// <param name="json">Print a <see cref="StatusReport"/> with every recorded step instead of the text lines.</param>
    public Task<int> StatusAsync(ClusterTarget target, string runId, CancellationToken cancellationToken, bool json = false) =>
        WithRunAsync(target, runId, async run =>
        {
            if (await FindAsync(run, runId) is not { } status)
            {
                return ExitCodes.RunFailed;
            }

            if (json)
            {
                var report = new StatusReport(status with { RunId = runId }, await run.GetMetricsAsync(0));
                output.WriteLine(JsonSerializer.Serialize(report, ClientJson.Indented));
                return ExitCodes.Success;
            }

            foreach (var line in StatusText.Lines(status with { RunId = runId }))
            {
                output.WriteLine(line);
            }

            return ExitCodes.Success;
        }, cancellationToken);

    /// <summary>Asks the run to stop and prints the state it reports; the run stops on its own shortly after.</summary>
    public Task<int> StopAsync(ClusterTarget target, string runId, CancellationToken cancellationToken) =>
        WithRunAsync(target, runId, async run =>
        {
            if (await FindAsync(run, runId) is not { } before)
            {
                return ExitCodes.RunFailed;
            }

            if (before.IsFinished)
            {
                output.WriteLine($"run {runId}: {before.State} (already ended)");
                return ExitCodes.Success;
            }

            var status = await run.StopAsync();
            output.WriteLine(status.IsFinished ? $"run {runId}: {status.State}" : $"run {runId}: {status.State}, stop requested");
            return ExitCodes.Success;
        }, cancellationToken);

    private async Task<RunStatus?> FindAsync(IRunGrain run, string runId)
    {
        var status = await run.GetStatusAsync();
        if (status.State == RunState.NotStarted)
        {
            error.WriteLine($"grpo: no run named {runId}");
            return null;
        }

        return status;
    }

    private async Task<int> WithRunAsync(ClusterTarget target, string runId, Func<IRunGrain, Task<int>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        IRunCluster cluster;
        try
        {
            cluster = await connector.ConnectAsync(target, cancellationToken);
        }
        catch (ClusterConfigurationException exception)
        {
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.ClusterUnavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The database is fine but no silo answers, or Orleans refused the configuration.
            error.WriteLine($"grpo: cannot connect to cluster '{target.ClusterId}': {exception.Message}");
            return ExitCodes.ClusterUnavailable;
        }

        await using (cluster)
        {
            try
            {
                return await action(cluster.GetRun(runId));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                error.WriteLine($"grpo: run {runId}: {exception.Message}");
                return ExitCodes.RunFailed;
            }
        }
    }
}
