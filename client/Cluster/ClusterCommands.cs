using System.Text.Json;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Output;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Hosting;

namespace Grpo.Client.Cluster;

/// <summary>
/// <c>grpo submit</c>, <c>watch</c>, <c>status</c>, <c>list</c>, <c>stop</c> and <c>resume</c> against a running
/// cluster. Each connects, acts on one run (or lists them) and disconnects; the run itself lives in the cluster and
/// never depends on this client.
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

    /// <summary>Prints every run of the cluster as a table, or as a JSON array with <paramref name="json"/>.</summary>
    public Task<int> ListAsync(ClusterTarget target, bool json, CancellationToken cancellationToken) =>
        WithClusterAsync(target, "list", async cluster =>
        {
            var runs = await cluster.GetRegistry().ListAsync();
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(runs.Select(RunListEntry.From).ToArray(), ClientJson.Indented));
                return ExitCodes.Success;
            }

            foreach (var line in RunListText.Lines(runs))
            {
                output.WriteLine(line);
            }

            return ExitCodes.Success;
        }, cancellationToken);

    /// <summary>
    /// Continues a stopped, interrupted or (for a cause outside the run) failed run from its learner's newest state;
    /// a running run is reported as it is. A completed, unknown or not resumable run is an error.
    /// </summary>
    public Task<int> ResumeAsync(ClusterTarget target, string runId, CancellationToken cancellationToken) =>
        WithRunAsync(target, runId, async run =>
        {
            var resumption = await run.ResumeAsync();
            var status = resumption.Status with { RunId = runId };
            switch (resumption.Outcome)
            {
                case ResumeOutcome.Resumed:
                    output.WriteLine($"run {runId}: resumed at step {status.Step}/{status.TotalSteps}; {ResumeText.LearnerStart(resumption.LearnerStart)}");
                    if (resumption.LearnerStart?.Warning is { } warning)
                        error.WriteLine($"grpo: warning: {warning}");
                    return ExitCodes.Success;
                case ResumeOutcome.AlreadyRunning:
                    output.WriteLine($"run {runId}: already running ({status.State}), step {status.Step}/{status.TotalSteps}, policy version {status.PolicyVersion}");
                    return ExitCodes.Success;
                case ResumeOutcome.Completed:
                    error.WriteLine($"grpo: run {runId} already completed ({status.Step}/{status.TotalSteps} steps); there is nothing to resume.");
                    return ExitCodes.RunFailed;
                case ResumeOutcome.NotResumable:
                    error.WriteLine($"grpo: run {runId} failed ({status.Error}); a resume cannot fix that cause: submit a new run.");
                    return ExitCodes.RunFailed;
                default:
                    error.WriteLine($"grpo: no run named {runId}");
                    return ExitCodes.RunFailed;
            }
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

    private Task<int> WithRunAsync(ClusterTarget target, string runId, Func<IRunGrain, Task<int>> action, CancellationToken cancellationToken) =>
        WithClusterAsync(target, $"run {runId}", cluster => action(cluster.GetRun(runId)), cancellationToken);

    /// <param name="subject">Names what failed in an error message, e.g. "run r" or "list".</param>
    private async Task<int> WithClusterAsync(ClusterTarget target, string subject, Func<IRunCluster, Task<int>> action, CancellationToken cancellationToken)
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
                return await action(cluster);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                error.WriteLine($"grpo: {subject}: {exception.Message}");
                return ExitCodes.RunFailed;
            }
        }
    }
}
