using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Contracts;

/// <summary>What a prompt grain asks of one completion grain.</summary>
[GenerateSerializer, Immutable, Alias("grpo.CompletionRequest")]
public sealed record CompletionRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunConfig Config,
    [property: Id(2)] string Prompt,
    [property: Id(3)] string? Answer,
    [property: Id(4)] int[] PromptTokens,
    [property: Id(5)] long MinPolicyVersion)
{
    /// <summary>
    /// The learner lineage the completion must be sampled from; <see cref="LearnerLineage.Any"/> accepts any. A rollout silo
    /// never answers it from the weights of another lineage.
    /// </summary>
    [Id(7)] public LearnerLineage Lineage { get; init; }

    /// <summary>The example's other dataset fields, which the rewards see beside prompt and answer.</summary>
    [Id(8)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The completion's place in the run, which keys its sampling stream; null: the engine draws a stream of its own.</summary>
    [Id(9)] public CompletionCoordinates? Coordinates { get; init; }
}
