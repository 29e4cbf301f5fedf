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
    [property: Id(4)] string Sha256);
