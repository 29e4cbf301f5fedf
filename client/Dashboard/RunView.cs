using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Dashboard;

/// <summary>A run's status as the page shows it, with the long action its learner is busy with, if any.</summary>
public sealed record RunView(
    string RunId, RunState State, long Step, long TotalSteps, long PolicyVersion, string Phase, string? Error,
    long? CheckpointStep, double? BaselineAccuracy, double? FinalAccuracy, bool Finished, bool Resumable, LearnerActivity? Activity)
{
    public static RunView From(RunStatus status, string runId, LearnerActivity? activity) => new(
        runId, status.State, status.Step, status.TotalSteps, status.PolicyVersion, status.Phase, status.Error,
        status.CheckpointStep, status.BaselineAccuracy, status.FinalAccuracy, status.IsFinished, status.Resumable, activity);
}
