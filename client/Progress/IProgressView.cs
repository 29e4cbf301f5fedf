using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Progress;

/// <summary>Shows a run's progress while <c>watch</c> polls it; a live display needs to own the console for that whole time.</summary>
public interface IProgressView
{
    Task<T> ShowAsync<T>(Func<IProgressSink, Task<T>> watch);
}

/// <summary>Receives every poll's result.</summary>
public interface IProgressSink
{
    /// <param name="progress">The run as of this poll.</param>
    /// <param name="newSteps">Steps that finished since the previous report, in step order.</param>
    void Report(RunProgress progress, IReadOnlyList<StepMetrics> newSteps);

    /// <summary>Sampled prompts that arrived since the previous report (only when samples are shown).</summary>
    void ReportSamples(IReadOnlyList<SampledGroup> newSamples)
    {
    }
}
