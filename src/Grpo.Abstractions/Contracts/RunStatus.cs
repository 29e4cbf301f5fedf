namespace Grpo.Abstractions.Contracts;

public enum RunState { NotStarted, WarmingUp, Training, Evaluating, Completed, Stopped, Failed }

[GenerateSerializer, Immutable, Alias("grpo.RunStatus")]
public sealed record RunStatus
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public RunState State { get; init; }
    [Id(2)] public long Step { get; init; }
    [Id(3)] public long TotalSteps { get; init; }
    [Id(4)] public long PolicyVersion { get; init; }
    [Id(5)] public double? BaselineAccuracy { get; init; }
    [Id(6)] public double? FinalAccuracy { get; init; }
    [Id(7)] public string? Error { get; init; }
    [Id(8)] public DateTimeOffset StartedAt { get; init; }
    [Id(9)] public DateTimeOffset? EndedAt { get; init; }
    [Id(10)] public string Phase { get; init; } = "";

    public bool IsFinished => State is RunState.Completed or RunState.Stopped or RunState.Failed;
}
