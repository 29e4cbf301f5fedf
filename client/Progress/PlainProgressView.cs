using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Progress;

/// <summary>For redirected output and CI: a line when the run's state or phase changes and one line per finished step.</summary>
public sealed class PlainProgressView(TextWriter output) : IProgressView, IProgressSink
{
    private (RunState State, string Phase)? lastPhase;

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

        output.Flush();
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
