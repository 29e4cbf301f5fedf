using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Cluster;
using Grpo.Client.Output;
using Grpo.Client.Progress;
using Grpo.Client.Train;

namespace Grpo.Client.Watch;

/// <summary>
/// Follows one run to its end, shared by <c>grpo train</c> and <c>grpo watch</c>: polls status and metrics, shows
/// progress, writes the run's files as steps arrive, and on cancellation still writes every output.
/// </summary>
public sealed class RunWatcher(IProgressView progress, TextWriter output, TextWriter error, TrainSettings? settings = null)
{
    private readonly TrainSettings settings = settings ?? TrainSettings.Default;

    public TextWriter Error => error;

    /// <returns>
    /// 0 once the run completed, 1 when it failed or was stopped, 130 when cancelled; 4 when the cluster stayed
    /// unreachable and 5 when the client itself failed, neither of which says anything about the run (see <see cref="ExitCodes"/>).
    /// </returns>
    public Task<int> WatchAsync(WatchTarget target, IRunGrain run, CancellationToken cancellationToken) =>
        WatchAsync(target, new DirectRunAccess(run), cancellationToken);

    /// <inheritdoc cref="WatchAsync(WatchTarget, IRunGrain, CancellationToken)"/>
    public async Task<int> WatchAsync(WatchTarget target, IRunAccess run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);

        RunOutputWriter files;
        try
        {
            // A watch continues the files of an earlier watch of the run; a new run starts its own.
            files = new RunOutputWriter(target.OutputDirectory, continueExisting: target.StartWith is null);
        }
        catch (OutputFileException exception)
        {
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.InvalidArguments;
        }

        if (target.StartWith is { } config)
        {
            files.WriteConfig(config);
        }

        var watch = new RunWatch(target, run, files, settings);
        string? clientError = null;
        var clientExit = ExitCodes.Success;
        try
        {
            await progress.ShowAsync(sink => watch.WatchAsync(sink, error, cancellationToken));
        }
        catch (ClusterUnreachableException exception)
        {
            clientError = exception.Message;
            clientExit = ExitCodes.ClusterUnavailable;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A grain that throws or a file that cannot be written ends the watching, never the run; the files so far stay.
            clientError = exception.Message;
            clientExit = ExitCodes.ClientFailed;
        }

        if (!watch.StatusRead)
        {
            // Nothing was read from the run, so there is no state to record: summary.json is left as it is.
            error.WriteLine($"grpo: stopped watching run {target.RunId} before reading it: {clientError ?? "interrupted"}.");
            return clientError is null ? ExitCodes.Interrupted : clientExit;
        }

        var status = watch.Status.RunId.Length > 0 ? watch.Status : watch.Status with { RunId = target.RunId };
        var summary = RunSummary.From(status, watch.Elapsed);
        files.WriteSummary(summary);
        var chartError = watch.TryWriteChart();

        WriteEnd(target, summary, files, chartError);
        if (clientError is not null)
        {
            error.WriteLine($"grpo: stopped watching run {target.RunId}: {clientError}; this says nothing about the run, "
                + $"which was {status.State} at step {status.Step}/{status.TotalSteps} when last read (summary.json holds that state).");
            return clientExit;
        }

        if (summary.State == nameof(RunState.Completed))
        {
            return ExitCodes.Success;
        }

        return watch.Interrupted ? ExitCodes.Interrupted : ExitCodes.RunFailed;
    }

    private void WriteEnd(WatchTarget target, RunSummary summary, RunOutputWriter files, string? chartError)
    {
        if (summary.Error is { } failure)
        {
            error.WriteLine($"grpo: run {summary.RunId} {summary.State.ToLowerInvariant()}: {failure}");
        }

        if (chartError is not null)
        {
            error.WriteLine($"grpo: could not draw {files.ChartPath}: {chartError}");
        }

        foreach (var line in SummaryText.Lines(summary, files, chartWritten: chartError is null, configWritten: target.StartWith is not null))
        {
            output.WriteLine(line);
        }

        output.Flush();
    }
}
