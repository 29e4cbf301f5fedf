using Grpo.Abstractions.Contracts;

namespace Grpo.Hosting.Training;

/// <summary>How a run of <see cref="GrpoTraining"/> ended and every step it trained.</summary>
public sealed record GrpoTrainingResult(RunStatus Status, IReadOnlyList<StepMetrics> Steps)
{
    public bool Completed => Status.State == RunState.Completed;
}
