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
    // By step: a step the learner redoes after going back to a checkpoint replaces the one seen before.
    private readonly SortedDictionary<long, StepMetrics> steps = [];
    private StepMetrics? latestStep;
    private readonly long startedAt = settings.Time.GetTimestamp();
    private readonly ProgressChart chart = new();
    private long nextStep;
    private long nextSampleStep;
    private SampledGroup? latestSample;
    private int stepsSinceRefresh;
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
            chart.Write(files.ChartPath, target.RunId, [.. steps.Values], Status.BaselineAccuracy, Status.FinalAccuracy);
            return null;
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or IOException or UnauthorizedAccessException)
        {
            return exception.Message;
        }
    }

    private async Task CollectStepsAsync(IProgressSink sink, CancellationToken cancellationToken)
    {
        // A learner restored from a checkpoint goes back to its step and redoes the steps since, with other values.
        nextStep = Math.Min(nextStep, Status.Step);
        nextSampleStep = Math.Min(nextSampleStep, Status.Step);

        // Fetched after the status, so a finished status is always followed by every step of the run. Once it has
        // finished, every step is read once more: steps redone while this client was not looking replace their lines.
        var from = Status.IsFinished ? 0 : nextStep;
        var fetched = (await run.CallAsync(grain => grain.GetMetricsAsync(from), cancellationToken))
            .Where(step => step.Step >= from)
            .OrderBy(step => step.Step)
            .ToArray();
        var fresh = fetched.Where(step => step.Step >= nextStep).ToArray();
        if (fetched.Length > 0)
        {
            files.WriteMetrics(fetched);
            foreach (var step in fetched)
            {
                steps[step.Step] = step;
            }
        }

        if (fresh.Length > 0)
        {
            latestStep = fresh[^1];
            nextStep = fresh[^1].Step + 1;
            latestAccuracy = fresh.LastOrDefault(step => step.HeldOutAccuracy is not null)?.HeldOutAccuracy ?? latestAccuracy;
            stepsSinceRefresh += fresh.Length;
            if (stepsSinceRefresh >= settings.RefreshEverySteps)
            {
                stepsSinceRefresh = 0;
                files.WriteSummary(RunSummary.From(Status, Elapsed));
                TryWriteChart();
            }
        }

        var samples = await CollectSamplesAsync(cancellationToken);
        var activity = Status.IsFinished ? null : await run.CallAsync(grain => grain.GetActivityAsync(), cancellationToken);
        var shownAccuracy = Status.FinalAccuracy ?? latestAccuracy ?? Status.BaselineAccuracy;
        sink.Report(new RunProgress(Status, latestStep, shownAccuracy, Elapsed, target.ShowSamples ? latestSample : null, activity), fresh);
        if (target.ShowSamples && samples.Length > 0)
        {
            sink.ReportSamples(samples);
        }
    }

    /// <summary>
    /// Samples of steps not seen yet (every sample the run keeps, once it has finished), recorded in samples.jsonl; a
    /// step's samples arrive together with its state write. Returns those of steps not seen yet.
    /// </summary>
    private async Task<SampledGroup[]> CollectSamplesAsync(CancellationToken cancellationToken)
    {
        var from = Status.IsFinished ? 0 : nextSampleStep;
        var fetched = (await run.CallAsync(grain => grain.GetSamplesAsync(from), cancellationToken))
            .Where(sample => sample.Step >= from)
            .OrderBy(sample => sample.Step).ThenBy(sample => sample.PromptIndex)
            .ToArray();
        files.WriteSamples(fetched);
        var fresh = fetched.Where(sample => sample.Step >= nextSampleStep).ToArray();
        if (fresh.Length > 0)
        {
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
