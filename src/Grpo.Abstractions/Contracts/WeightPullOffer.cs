namespace Grpo.Abstractions.Contracts;

/// <summary>
/// The answer to a rollout silo that asks the learner for a version it will relay: the manifest, and the relay silos
/// that asked for the same version before it (each holds the image or is still pulling it). The puller fetches its
/// chunks from those silos and only falls back to the learner, so the learner sends each version about once however
/// many rollout silos there are.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.WeightPullOffer")]
public sealed record WeightPullOffer(
    [property: Id(0)] WeightManifest Manifest,
    [property: Id(1)] string[] Relays);
