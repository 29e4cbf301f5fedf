using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
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

    /// <returns>0 once the run completed, 130 when cancelled, otherwise 1 (see <see cref="ExitCodes"/>).</returns>
    public async Task<int> WatchAsync(WatchTarget target, IRunGrain run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);

        var files = new RunOutputWriter(target.OutputDirectory);
        if (target.StartWith is { } config)
        {
            files.WriteConfig(config);
        }

        var watch = new RunWatch(target, run, files, settings);
        string? clientError = null;
        try
        {
            await progress.ShowAsync(sink => watch.WatchAsync(sink, error, cancellationToken));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A lost silo connection or a grain that throws must still leave the run's files behind.
            clientError = exception.Message;
        }

        var status = watch.Status.RunId.Length > 0 ? watch.Status : watch.Status with { RunId = target.RunId };
        var summary = RunSummary.From(status, watch.Elapsed, clientError);
        files.WriteSummary(summary);
        var chartError = watch.TryWriteChart();

        WriteEnd(target, summary, files, chartError);
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
