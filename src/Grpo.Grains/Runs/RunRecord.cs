using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Runs;

/// <summary>The run grain's durable state: enough to tell users where the run is and to continue it.</summary>
[GenerateSerializer, Alias("grpo.RunRecord")]
public sealed class RunRecord
{
    [Id(0)] public RunConfig? Config { get; set; }
    [Id(1)] public RunStatus Status { get; set; } = new();
    [Id(2)] public List<StepMetrics> Metrics { get; set; } = new();
    /// <summary>The next step to run; the prompts of a step are a function of seed and step, so this is the data cursor.</summary>
    [Id(3)] public long NextStep { get; set; }

    /// <summary>Prompts with their completions kept every log_samples_every steps, in step order.</summary>
    [Id(20)] public List<SampledGroup> Samples { get; set; } = new();

    /// <summary>
    /// How often the step loop restarted after losing the learner or its own activation. Redone steps key their prompt
    /// grains by it: a prompt grain of an earlier loop may have handed its group to a learner that no longer exists.
    /// </summary>
    [Id(4)] public int Restarts { get; set; }
}
