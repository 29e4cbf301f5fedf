namespace Grpo.Abstractions.Contracts;

/// <summary>The learner after start-up: the policy version it serves and, for the demo, the warmed-up baseline.</summary>
[GenerateSerializer, Immutable, Alias("grpo.LearnerReady")]
public sealed record LearnerReady(
    [property: Id(0)] long PolicyVersion,
    [property: Id(1)] long CompletedSteps,
    [property: Id(2)] double? BaselineAccuracy,
    [property: Id(3)] long ParameterCount)
{
    /// <summary>The newest checkpoint this learner restored from or wrote (its folder), or null when it has none.</summary>
    [Id(4)] public string? Checkpoint { get; init; }

    /// <summary>The step (= policy version) of <see cref="Checkpoint"/>.</summary>
    [Id(5)] public long? CheckpointStep { get; init; }

    /// <summary>
    /// Drawn afresh each time a learner activation builds or restores its policy. Versions and completions count only within
    /// one lineage: after a restore the run redoes its steps, and whatever was generated for the lost learner is refused.
    /// </summary>
    [Id(6)] public LearnerLineage Lineage { get; init; }

    /// <summary>
    /// Newer checkpoints that failed checksum verification and were passed over, each named with its fault, and the one
    /// used instead; null when none was.
    /// </summary>
    [Id(7)] public string? CheckpointWarning { get; init; }
}

[GenerateSerializer, Immutable, Alias("grpo.EvaluationReport")]
public sealed record EvaluationReport(
    [property: Id(0)] long PolicyVersion,
    [property: Id(1)] int Correct,
    [property: Id(2)] int Total,
    [property: Id(3)] double MeanReward)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}
