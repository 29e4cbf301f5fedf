using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Output;
using Grpo.Client.Progress;

namespace Grpo.Client.Train;

/// <summary>
/// Starts a run on any cluster and watches it to the end: polls status and metrics, shows progress, writes the run's
/// files as steps arrive, and on cancellation (Ctrl+C) stops the run and still writes every output.
/// </summary>
public sealed class TrainCommand(IProgressView progress, TextWriter output, TextWriter error, TrainSettings? settings = null)
{
    private readonly TrainSettings settings = settings ?? TrainSettings.Default;

    public Task<int> RunAsync(TrainArguments arguments, IClusterClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(client);
        IRunGrain run;
        try
        {
            run = client.GetGrain<IRunGrain>(arguments.RunId);
        }
        catch (ArgumentException exception)
        {
            // Orleans refuses a grain interface that no loaded assembly implements.
            error.WriteLine($"grpo: this cluster cannot host runs: {exception.Message}");
            return Task.FromResult(ExitCodes.RunFailed);
        }

        return RunAsync(arguments, run, cancellationToken);
    }

    public async Task<int> RunAsync(TrainArguments arguments, IRunGrain run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(run);

        var files = new RunOutputWriter(arguments.OutputDirectory);
        files.WriteConfig(arguments.Config);
        var watch = new RunWatch(arguments, run, files, settings);
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

        var status = watch.Status.RunId.Length > 0 ? watch.Status : watch.Status with { RunId = arguments.RunId };
        var summary = RunSummary.From(status, watch.Elapsed, clientError);
        files.WriteSummary(summary);
        var chartError = watch.TryWriteChart();

        WriteEnd(summary, files, chartError);
        if (summary.State == nameof(RunState.Completed))
        {
            return ExitCodes.Success;
        }

        return watch.StopRequested ? ExitCodes.Interrupted : ExitCodes.RunFailed;
    }

    private void WriteEnd(RunSummary summary, RunOutputWriter files, string? chartError)
    {
        if (summary.Error is { } failure)
        {
            error.WriteLine($"grpo: run {summary.RunId} {summary.State.ToLowerInvariant()}: {failure}");
        }

        if (chartError is not null)
        {
            error.WriteLine($"grpo: could not draw {files.ChartPath}: {chartError}");
        }

        foreach (var line in SummaryText.Lines(summary, files, chartWritten: chartError is null))
        {
            output.WriteLine(line);
        }

        output.Flush();
    }
}
