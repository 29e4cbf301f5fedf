using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Progress;

/// <summary>For redirected output and CI: a line when the run's state or phase changes and one line per finished step.</summary>
public sealed class PlainProgressView(TextWriter output) : IProgressView, IProgressSink
{
    private (RunState State, string Phase)? lastPhase;
    private (string Action, long Tenth)? lastActivity;

    public Task<T> ShowAsync<T>(Func<IProgressSink, Task<T>> watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        return watch(this);
    }

    public void Report(RunProgress progress, IReadOnlyList<StepMetrics> newSteps)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(newSteps);
        foreach (var step in newSteps)
        {
            output.WriteLine(ProgressText.StepLine(step, progress.Status.TotalSteps, progress.Elapsed));
        }

        var phase = (progress.Status.State, progress.Status.Phase);
        if (lastPhase != phase)
        {
            lastPhase = phase;
            output.WriteLine(ProgressText.PhaseLine(progress.Status, progress.Elapsed));
        }

        // An activity is written when it starts and at each tenth of its work, not on every poll.
        if (progress.Activity is { } activity)
        {
            var key = (ActivityKind(activity.Action), activity.Total > 0 ? Math.Clamp(activity.Done * 10 / activity.Total, 0, 10) : -1);
            if (lastActivity != key)
            {
                lastActivity = key;
                output.WriteLine(ProgressText.ActivityLine(activity, progress.Elapsed));
            }
        }
        else
        {
            lastActivity = null;
        }

        output.Flush();
    }

    /// <summary>The action without its changing details in parentheses, e.g. the warm-up's current loss.</summary>
    private static string ActivityKind(string action)
    {
        var detail = action.IndexOf(" (", StringComparison.Ordinal);
        return detail < 0 ? action : action[..detail];
    }

    public void ReportSamples(IReadOnlyList<SampledGroup> newSamples)
    {
        ArgumentNullException.ThrowIfNull(newSamples);
        foreach (var line in newSamples.SelectMany(ProgressText.SampleLines))
        {
            output.WriteLine(line);
        }

        output.Flush();
    }
}
