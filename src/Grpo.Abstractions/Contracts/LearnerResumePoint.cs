namespace Grpo.Abstractions.Contracts;

/// <summary>
/// Where a resumed run's learner continues: its live policy at <see cref="LiveVersion"/>, else the checkpoint
/// <see cref="Checkpoint"/> (the newest that passed checksum verification), else step 0 when there is none.
/// </summary>
/// <param name="LiveVersion">The policy version of a learner that still holds the run in memory, or null.</param>
/// <param name="Checkpoint">The checkpoint folder a restore uses (for a live learner, the one it was restored from), or null.</param>
/// <param name="CheckpointStep">The step of <paramref name="Checkpoint"/>.</param>
/// <param name="Warning">The newer checkpoints passed over, each named with its fault; null when none was.</param>
/// <param name="Refused">Checkpoints exist but none passed verification: the learner refuses to start over on its own.</param>
[GenerateSerializer, Immutable, Alias("grpo.LearnerResumePoint")]
public sealed record LearnerResumePoint(
    [property: Id(0)] long? LiveVersion,
    [property: Id(1)] string? Checkpoint,
    [property: Id(2)] long? CheckpointStep,
    [property: Id(3)] string? Warning,
    [property: Id(4)] bool Refused);
