using Grpo.Abstractions.Contracts;
using Grpo.Client.Output;
using Grpo.Client.Progress;
using Grpo.Client.Train;

namespace Grpo.Client.Watch;

/// <summary>
/// The polling loop of one run and what it has seen so far; what it has seen survives a failed grain call. Every state it
/// reports is one the run reported: a watch that loses its connection keeps the last status it read.
/// </summary>
internal sealed class RunWatch(WatchTarget target, IRunAccess run, RunOutputWriter files, TrainSettings settings)
{
    private readonly List<StepMetrics> steps = [];
    private readonly long startedAt = settings.Time.GetTimestamp();
    private readonly ProgressChart chart = new();
    private long nextStep;
    private long nextSampleStep;
    private SampledGroup? latestSample;
    private int stepsAtLastRefresh;
    private double? latestAccuracy;

    public RunStatus Status { get; private set; } = new() { RunId = target.RunId, State = RunState.NotStarted };

    /// <summary>Whether <see cref="Status"/> was read from the run; until then it is only a placeholder.</summary>
    public bool StatusRead { get; private set; }

    /// <summary>Ctrl+C arrived: the run was asked to stop, or (when only watching) the watching ended early.</summary>
    public bool Interrupted { get; private set; }
    public TimeSpan Elapsed => settings.Time.GetElapsedTime(startedAt);

    public async Task<RunStatus> WatchAsync(IProgressSink sink, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await PollAsync(sink, error, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !target.StopsRunOnCancel)
        {
            // Ctrl+C while waiting for the cluster to come back: only the watching ends.
            Interrupted = true;
            return Status;
        }
    }

    private async Task<RunStatus> PollAsync(IProgressSink sink, TextWriter error, CancellationToken cancellationToken)
    {
        // After Ctrl+C the client that started the run still needs its answers to stop it; a mere watcher does not.
        var callToken = target.StopsRunOnCancel ? CancellationToken.None : cancellationToken;
        Read(target.StartWith is { } config
            ? await run.CallAsync(grain => grain.StartAsync(config), callToken)
            : await run.CallAsync(grain => grain.GetStatusAsync(), callToken));
        long? stopDeadline = null;
        while (true)
        {
            await CollectStepsAsync(sink, callToken);
            if (Status.IsFinished)
            {
                return Status;
            }

            if (cancellationToken.IsCancellationRequested && !target.StopsRunOnCancel)
            {
                // Only the client that started the run stops it; anyone else merely stops looking.
                Interrupted = true;
                return Status;
            }

            if (cancellationToken.IsCancellationRequested && !Interrupted)
            {
                Interrupted = true;
                error.WriteLine($"grpo: stopping run {target.RunId}; its outputs are written once it has stopped.");
                stopDeadline = settings.Time.GetTimestamp();
                Read(await run.CallAsync(grain => grain.StopAsync(), callToken));
                continue;
            }

            if (stopDeadline is { } since && settings.Time.GetElapsedTime(since) > settings.StopGrace)
            {
                error.WriteLine($"grpo: run {target.RunId} did not stop within {settings.StopGrace.TotalSeconds:0} s; writing outputs now.");
                return Status;
            }

            await DelayAsync(Interrupted ? CancellationToken.None : cancellationToken);
            Read(await run.CallAsync(grain => grain.GetStatusAsync(), callToken));
        }
    }

    private void Read(RunStatus status)
    {
        Status = status;
        StatusRead = true;
    }

    /// <summary>Draws chart.png; returns why it failed, because a missing native graphics library must not lose the run's other files.</summary>
    public string? TryWriteChart()
    {
        try
        {
            chart.Write(files.ChartPath, target.RunId, steps, Status.BaselineAccuracy, Status.FinalAccuracy);
            return null;
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or IOException or UnauthorizedAccessException)
        {
            return exception.Message;
        }
    }

    private async Task CollectStepsAsync(IProgressSink sink, CancellationToken cancellationToken)
    {
        // Fetched after the status, so a finished status is always followed by every step of the run.
        var from = nextStep;
        var fresh = (await run.CallAsync(grain => grain.GetMetricsAsync(from), cancellationToken))
            .Where(step => step.Step >= nextStep)
            .OrderBy(step => step.Step)
            .ToArray();
        if (fresh.Length > 0)
        {
            files.WriteMetrics(fresh);
            steps.AddRange(fresh);
            nextStep = fresh[^1].Step + 1;
            latestAccuracy = fresh.LastOrDefault(step => step.HeldOutAccuracy is not null)?.HeldOutAccuracy ?? latestAccuracy;
            if (steps.Count - stepsAtLastRefresh >= settings.RefreshEverySteps)
            {
                stepsAtLastRefresh = steps.Count;
                files.WriteSummary(RunSummary.From(Status, Elapsed));
                TryWriteChart();
            }
        }

        var samples = await CollectSamplesAsync(cancellationToken);
        var activity = Status.IsFinished ? null : await run.CallAsync(grain => grain.GetActivityAsync(), cancellationToken);
        var shownAccuracy = Status.FinalAccuracy ?? latestAccuracy ?? Status.BaselineAccuracy;
        sink.Report(new RunProgress(Status, steps.Count > 0 ? steps[^1] : null, shownAccuracy, Elapsed, target.ShowSamples ? latestSample : null, activity), fresh);
        if (target.ShowSamples && samples.Length > 0)
        {
            sink.ReportSamples(samples);
        }
    }

    /// <summary>Samples of steps not seen yet, appended to samples.jsonl; a step's samples arrive together with its state write.</summary>
    private async Task<SampledGroup[]> CollectSamplesAsync(CancellationToken cancellationToken)
    {
        var from = nextSampleStep;
        var fresh = (await run.CallAsync(grain => grain.GetSamplesAsync(from), cancellationToken))
            .Where(sample => sample.Step >= nextSampleStep)
            .OrderBy(sample => sample.Step).ThenBy(sample => sample.PromptIndex)
            .ToArray();
        if (fresh.Length > 0)
        {
            files.WriteSamples(fresh);
            nextSampleStep = fresh[^1].Step + 1;
            latestSample = fresh[^1];
        }

        return fresh;
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(settings.PollInterval, settings.Time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends the wait early; the loop then stops the run or stops watching.
        }
    }
}
