using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Runs;

/// <summary>The run grain's durable state: enough to tell users where the run is and to continue it.</summary>
[GenerateSerializer, Alias("grpo.RunRecord")]
public sealed class RunRecord
{
    [Id(0)] public RunConfig? Config { get; set; }

    /// <summary>Also holds the newest checkpoint (step and folder) the learner reported.</summary>
    [Id(1)] public RunStatus Status { get; set; } = new();
    [Id(2)] public List<StepMetrics> Metrics { get; set; } = new();
    /// <summary>The next step to run; the prompts of a step are a function of seed and step, so this is the data cursor.</summary>
    [Id(3)] public long NextStep { get; set; }

    /// <summary>Prompts with their completions kept every log_samples_every steps, in step order.</summary>
    [Id(20)] public List<SampledGroup> Samples { get; set; } = new();

    /// <summary>
    /// How many times the step loop has started (first start, learner restarts, re-activations, resumes). Prompt grain
    /// keys carry the generation of the loop that made them: a prompt grain that still remembers a group from an
    /// earlier loop is never asked again, so a redone step always reaches the (possibly new) learner. Kept here so a
    /// re-activated run grain never reuses a generation.
    /// </summary>
    [Id(4)] public int LoopGeneration { get; set; }
}
