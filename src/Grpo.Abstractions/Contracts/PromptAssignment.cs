using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Contracts;

[GenerateSerializer, Immutable, Alias("grpo.PromptAssignment")]
public sealed record PromptAssignment(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunConfig Config,
    [property: Id(2)] long Step,
    [property: Id(3)] int PromptIndex,
    [property: Id(4)] string Prompt,
    [property: Id(5)] string? Answer,
    [property: Id(6)] int[] PromptTokens,
    [property: Id(7)] long MinPolicyVersion)
{
    /// <summary>The learner lineage the run is training; <see cref="LearnerLineage.Any"/> accepts any.</summary>
    [Id(8)] public LearnerLineage Lineage { get; init; }

    /// <summary>The example's other dataset fields (a CSV's other columns, a JSON line's other fields), for the rewards.</summary>
    [Id(9)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
