namespace Grpo.Core.Checkpoints;

/// <summary>
/// The checkpoint a resume uses: the newest folder whose every file matches the checksum in its trainer_state.json,
/// and the newer folders passed over on the way. The learner, <c>grpo resume</c> and <c>grpo eval</c> all choose with
/// <see cref="TrainingCheckpoint.ChooseNewest"/> and report with <see cref="Warning"/>, so they name the same folders.
/// </summary>
public sealed record CheckpointChoice(string? Path, long? Step, IReadOnlyList<RejectedCheckpoint> Rejected)
{
    public static CheckpointChoice None { get; } = new(null, null, []);

    /// <summary>
    /// Folders exist but none passed verification: starting over would silently throw the run's progress away, so a
    /// resume refuses instead.
    /// </summary>
    public bool OnlyBadCheckpoints => Path is null && Rejected.Count > 0;

    /// <summary>One sentence naming each rejected folder, its fault and the checkpoint used instead; null when nothing was rejected.</summary>
    public string? Warning => Rejected.Count == 0
        ? null
        : string.Join("; ", Rejected) + (Path is null
            ? "; no older checkpoint passed verification"
            : $"; using checkpoint '{Path}' (step {Step}) instead");

    /// <summary>The error a resume gives when <see cref="OnlyBadCheckpoints"/>, telling the operator how to start over.</summary>
    public string Refusal(string root) =>
        $"no checkpoint under '{root}' passed verification ({Warning}); repair them, or move them aside to start the run over";
}
