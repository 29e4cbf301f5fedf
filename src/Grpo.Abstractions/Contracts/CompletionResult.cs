using System.Collections.ObjectModel;

namespace Grpo.Abstractions.Contracts;

/// <summary>
/// One sampled, scored completion; its behaviour log-probs travel with it to the learner. <see cref="PolicyVersion"/> is
/// the version of its oldest token (the one its staleness counts from).
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.CompletionResult")]
public sealed record CompletionResult(
    [property: Id(0)] string Key,
    [property: Id(1)] int[] Tokens,
    [property: Id(2)] float[] LogProbs,
    [property: Id(3)] long PolicyVersion,
    [property: Id(4)] float Reward,
    [property: Id(5)] bool Truncated,
    [property: Id(6)] string Text,
    [property: Id(7)] string Silo)
{
    /// <summary>The learner lineage of the weights that sampled it.</summary>
    [Id(8)] public LearnerLineage Lineage { get; init; }

    /// <summary>
    /// The unweighted score of each function the run's reward combines, by the name the run configuration gives it in rewards; a reward that combines
    /// none is its own single component. <see cref="Reward"/> is their weighted sum.
    /// </summary>
    [Id(9)] public IReadOnlyDictionary<string, float> RewardComponents { get; init; } = ReadOnlyDictionary<string, float>.Empty;

    /// <summary>
    /// The policy version that sampled each token, run-length encoded in order: the counts add up to the tokens and the
    /// first version is <see cref="PolicyVersion"/>. More than one span only with partial_rollouts; empty means every
    /// token is of <see cref="PolicyVersion"/>.
    /// </summary>
    [Id(40)] public PolicyVersionSpan[] TokenVersions { get; init; } = [];

    /// <summary>
    /// Why generation ended: "eos", "stop_string" or "length" (<see cref="Truncated"/> is the last); empty from a sender
    /// that predates it. The sample ledger records it.
    /// </summary>
    [Id(60)] public string FinishReason { get; init; } = "";
}
