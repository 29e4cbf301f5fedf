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

    /// <summary>The step (= policy version) of the newest checkpoint the learner wrote, if any; a resume starts there.</summary>
    [Id(11)] public long? CheckpointStep { get; init; }

    /// <summary>The folder of that checkpoint, in the learner silos' shared checkpoint directory.</summary>
    [Id(12)] public string? CheckpointPath { get; init; }

    /// <summary>
    /// For a failed run: whether the cause lay outside the run itself (lost silos, the database, checkpoint files),
    /// so that <c>resume</c> may continue it once that is fixed.
    /// </summary>
    [Id(13)] public bool Resumable { get; init; }

    /// <summary>
    /// Set when the learner last started: the newer checkpoints it passed over because they failed checksum
    /// verification, each named with its fault, and the checkpoint it used instead. Null when none was passed over.
    /// </summary>
    [Id(21)] public string? CheckpointWarning { get; init; }

    public bool IsFinished => State is RunState.Completed or RunState.Stopped or RunState.Failed;
}
