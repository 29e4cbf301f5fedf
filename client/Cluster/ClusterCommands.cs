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
/// never depends on this client. The commands that only read (watch, status, list) reconnect when the cluster is
/// lost (see <see cref="ReconnectPolicy"/>); those that change a run try once and report a lost connection.
/// </summary>
/// <param name="reconnect">How watch, status and list try again [default: <see cref="ReconnectPolicy.Default"/>].</param>
public sealed class ClusterCommands(
    IClusterConnector connector, RunWatcher watcher, TextWriter output, TextWriter error, ReconnectPolicy? reconnect = null)
{
    private readonly ReconnectPolicy reconnect = reconnect ?? ReconnectPolicy.Default;

    /// <summary>Starts a validated run and prints its id; an id that is already taken is refused, not re-attached.</summary>
    public Task<int> SubmitAsync(ClusterTarget target, TrainArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return WithRunAsync(target, arguments.RunId, Once, async run =>
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

    /// <summary>
    /// Follows a run to its end, writing its outputs; cancelling stops the watching, not the run. Once it has read the
    /// run, a lost cluster is tried again until the run ends or the user stops watching.
    /// </summary>
    public Task<int> WatchAsync(ClusterTarget target, WatchTarget watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        return WithClusterAsync(target, $"run {watch.RunId}", new Reading(reconnect, KeepTrying: true), async session =>
        {
            if (await FindAsync(session, watch.RunId, cancellationToken) is null)
            {
                return ExitCodes.RunFailed;
            }

            return await watcher.WatchAsync(watch with { StartWith = null }, new SessionRunAccess(session, watch.RunId), cancellationToken);
        }, cancellationToken);
    }

    /// <param name="json">Print a <see cref="StatusReport"/> with every recorded step instead of the text lines.</param>
    public Task<int> StatusAsync(ClusterTarget target, string runId, CancellationToken cancellationToken, bool json = false) =>
        WithClusterAsync(target, $"run {runId}", new Reading(reconnect, KeepTrying: false), async session =>
        {
            if (await FindAsync(session, runId, cancellationToken) is not { } status)
            {
                return ExitCodes.RunFailed;
            }

            var learnerSilo = await session.CallAsync(cluster => cluster.GetRun(runId).GetLearnerSiloAsync(), cancellationToken);
            if (json)
            {
                var metrics = await session.CallAsync(cluster => cluster.GetRun(runId).GetMetricsAsync(0), cancellationToken);
                var report = new StatusReport(status with { RunId = runId }, metrics, learnerSilo);
                output.WriteLine(JsonSerializer.Serialize(report, ClientJson.Indented));
                return ExitCodes.Success;
            }

            foreach (var line in StatusText.Lines(status with { RunId = runId }, learnerSilo))
            {
                output.WriteLine(line);
            }

            return ExitCodes.Success;
        }, cancellationToken);

    /// <summary>Asks the run to stop and prints the state it reports; the run stops on its own shortly after.</summary>
    public Task<int> StopAsync(ClusterTarget target, string runId, CancellationToken cancellationToken) =>
        WithRunAsync(target, runId, Once, async run =>
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
        WithClusterAsync(target, "list", new Reading(reconnect, KeepTrying: false), async session =>
        {
            var runs = await session.CallAsync(cluster => cluster.GetRegistry().ListAsync(), cancellationToken);
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
        WithRunAsync(target, runId, Once, async run =>
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

    private async Task<RunStatus?> FindAsync(IRunGrain run, string runId) => Found(await run.GetStatusAsync(), runId);

    private async Task<RunStatus?> FindAsync(ClusterSession session, string runId, CancellationToken cancellationToken) =>
        Found(await session.CallAsync(cluster => cluster.GetRun(runId).GetStatusAsync(), cancellationToken), runId);

    private RunStatus? Found(RunStatus status, string runId)
    {
        if (status.State == RunState.NotStarted)
        {
            error.WriteLine($"grpo: no run named {runId}");
            return null;
        }

        return status;
    }

    /// <summary>How a command uses the cluster: with which reconnect policy, and whether it keeps trying once it got an answer.</summary>
    private sealed record Reading(ReconnectPolicy Policy, bool KeepTrying);

    /// <summary>A command that changes a run: one attempt, so that a lost answer is reported rather than the change repeated.</summary>
    private static readonly Reading Once = new(ReconnectPolicy.None, KeepTrying: false);

    private Task<int> WithRunAsync(ClusterTarget target, string runId, Reading reading, Func<IRunGrain, Task<int>> action, CancellationToken cancellationToken) =>
        WithClusterAsync(target, $"run {runId}", reading,
            session => session.CallAsync(cluster => action(cluster.GetRun(runId)), cancellationToken), cancellationToken);

    /// <param name="subject">Names what failed in an error message, e.g. "run r" or "list".</param>
    private async Task<int> WithClusterAsync(
        ClusterTarget target, string subject, Reading reading, Func<ClusterSession, Task<int>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var session = new ClusterSession(connector, target, reading.Policy, error, reading.KeepTrying);
        try
        {
            return await action(session);
        }
        catch (ClusterConfigurationException exception)
        {
            // A database that refuses the user or lacks the schema: its message says what to do.
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.ClusterUnavailable;
        }
        catch (ClusterUnreachableException exception)
        {
            if (exception.InnerException is ClusterConfigurationException configuration)
            {
                error.WriteLine("grpo: " + configuration.Message);
            }
            else if (!session.Connected)
            {
                error.WriteLine($"grpo: cannot connect to cluster '{target.ClusterId}': {ClusterFailures.Reason(exception.InnerException!)}");
            }
            else
            {
                // The command's own call was lost with its gateway: a problem of this client's connection, not of any run.
                error.WriteLine($"grpo: {subject}: lost the connection to cluster '{target.ClusterId}' ({ClusterFailures.Reason(exception.InnerException!)}); "
                    + "the run is not affected: try again once the cluster is back.");
            }

            return ExitCodes.ClusterUnavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (!session.Connected)
            {
                // Orleans refused the client's configuration before any silo was reached.
                error.WriteLine($"grpo: cannot connect to cluster '{target.ClusterId}': {exception.Message}");
                return ExitCodes.ClusterUnavailable;
            }

            error.WriteLine($"grpo: {subject}: {exception.Message}");
            return reading == Once ? ExitCodes.RunFailed : ExitCodes.ClientFailed;
        }
    }
}
