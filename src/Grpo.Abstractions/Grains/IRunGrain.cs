using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>A training run (key: run id). Owns the run's state and drives the step loop.</summary>
[Alias("grpo.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run with this configuration; calling it again for a started run returns its status.</summary>
    [Alias("Start")] Task<RunStatus> StartAsync(RunConfig config);

    [Alias("GetStatus")] Task<RunStatus> GetStatusAsync();

    /// <summary>Metrics of every finished step from <paramref name="fromStep"/> on.</summary>
    [Alias("GetMetrics")] Task<StepMetrics[]> GetMetricsAsync(long fromStep);

    [Alias("Stop")] Task<RunStatus> StopAsync();

    /// <summary>The prompts and completions kept (every log_samples_every steps) from <paramref name="fromStep"/> on, in step order.</summary>
    [Alias("GetSamples")] Task<SampledGroup[]> GetSamplesAsync(long fromStep);

    /// <summary>The long action the run's learner is busy with (model build, warm-up, evaluation, checkpoint write), or null.</summary>
    [Alias("GetActivity")] Task<LearnerActivity?> GetActivityAsync();

    /// <summary>
    /// The address of the silo that hosts the run's learner (e.g. <c>10.0.0.5:11111@154519611</c>), or null while no
    /// learner of the run is active (a finished run, a learner being re-initialised). Asking activates no learner.
    /// </summary>
    [Alias("GetLearnerSilo")] Task<string?> GetLearnerSiloAsync();

    /// <summary>
    /// Continues a stopped, interrupted or (for a cause outside the run) failed run from its learner's newest state:
    /// the live learner when it still holds the run, else the last checkpoint. A running run is left as it is.
    /// </summary>
    [Alias("Resume")] Task<RunResumption> ResumeAsync();
}
