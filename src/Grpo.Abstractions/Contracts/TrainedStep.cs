namespace Grpo.Abstractions.Contracts;

/// <summary>
/// What the learner reports of one trained step: its metrics, and the step's groups the run keeps as samples
/// (log_samples_every) with the advantages the learner trained them with. No samples for a step the learner only knows
/// from a checkpoint: its groups were not kept.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.TrainedStep")]
public sealed record TrainedStep(
    [property: Id(0)] StepMetrics Metrics,
    [property: Id(1)] SampledGroup[] Samples);
