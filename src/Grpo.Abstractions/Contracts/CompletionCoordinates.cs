namespace Grpo.Abstractions.Contracts;

/// <summary>
/// Where a completion sits in its run (the numbers of its grain key): the rollout engine seeds the completion's own
/// sampling stream from them and the run's seed, so the same coordinates sample the same completion on any silo.
/// </summary>
/// <param name="Attempt">Bumped when a group is regenerated because it was too stale, so the new sample is a fresh draw.</param>
[GenerateSerializer, Immutable, Alias("grpo.CompletionCoordinates")]
public sealed record CompletionCoordinates(
    [property: Id(0)] long Step,
    [property: Id(1)] int PromptIndex,
    [property: Id(2)] int SampleIndex,
    [property: Id(3)] int Attempt);
