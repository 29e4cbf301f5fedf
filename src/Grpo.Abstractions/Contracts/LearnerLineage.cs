namespace Grpo.Abstractions.Contracts;

/// <summary>
/// Which learner activation a policy version, a completion or a request belongs to. A learner draws a new lineage each
/// time it builds or restores its policy: after a restore from a checkpoint its version 7 is not the lost learner's
/// version 7, so versions and completions count only within one lineage. <see cref="Any"/> stands for "no lineage asked
/// for" (a request that takes whatever weights there are) or "none known" (a weight source without learners).
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.LearnerLineage")]
public readonly record struct LearnerLineage
{
    [Id(0)] readonly string? id;

    LearnerLineage(string id) => this.id = id;

    /// <summary>No particular lineage: as a request, it accepts weights of every lineage.</summary>
    public static LearnerLineage Any => default;

    /// <summary>A lineage no other learner activation has.</summary>
    public static LearnerLineage New() => new(Guid.NewGuid().ToString("N"));

    public bool IsAny => id is null;

    /// <summary>
    /// Whether something of lineage <paramref name="other"/> may serve what asks for this lineage: <see cref="Any"/>
    /// accepts every lineage, any other only itself (so never <see cref="Any"/>).
    /// </summary>
    public bool Accepts(LearnerLineage other) => IsAny || this == other;

    public override string ToString() => id ?? "any";
}
