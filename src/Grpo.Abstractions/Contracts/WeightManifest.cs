namespace Grpo.Abstractions.Contracts;

/// <summary>
/// Describes one published policy version. The weights travel as <see cref="ChunkCount"/> chunks so no message
/// approaches Orleans' message-size limit; the SHA-256 is checked before a silo swaps them in.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.WeightManifest")]
public sealed record WeightManifest(
    [property: Id(0)] long Version,
    [property: Id(1)] long TotalBytes,
    [property: Id(2)] int ChunkBytes,
    [property: Id(3)] int ChunkCount,
    [property: Id(4)] string Sha256)
{
    /// <summary>
    /// The learner lineage that published this version: a learner restored from a checkpoint starts a new lineage, and its
    /// version 7 is not the lost learner's version 7. <see cref="LearnerLineage.Any"/> for sources without learners.
    /// </summary>
    [Id(5)] public LearnerLineage Lineage { get; init; }
}
