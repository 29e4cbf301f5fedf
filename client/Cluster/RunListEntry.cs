using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Cluster;

/// <summary>One run as <c>grpo list --json</c> writes it.</summary>
public sealed record RunListEntry(
    string Id,
    RunState State,
    string Phase,
    long Step,
    long TotalSteps,
    long PolicyVersion,
    long? CheckpointStep,
    string? CheckpointPath,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Error)
{
    public static RunListEntry From(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new RunListEntry(status.RunId, status.State, status.Phase, status.Step, status.TotalSteps, status.PolicyVersion,
            status.CheckpointStep, status.CheckpointPath, status.StartedAt, status.EndedAt, status.Error);
    }
}
