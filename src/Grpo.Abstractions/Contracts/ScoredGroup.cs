namespace Grpo.Abstractions.Contracts;

/// <summary>
/// A prompt's G completions with their rewards, as the learner receives them. The learner turns the rewards of all the
/// step's groups into advantages when it trains: with scale_rewards = batch a group's advantages depend on the others.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.ScoredGroup")]
public sealed record ScoredGroup(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Step,
    [property: Id(2)] int PromptIndex,
    [property: Id(3)] int[] PromptTokens,
    [property: Id(4)] CompletionResult[] Completions)
{
    /// <summary>The prompt as text and its reference answer, for the samples the learner reports of the groups it trained.</summary>
    [Id(7)] public string Prompt { get; init; } = "";

    [Id(8)] public string? Answer { get; init; }

    public string GroupId => GrainKeys.GroupId(Step, PromptIndex);
}

public enum GroupAcceptance
{
    Accepted,
    /// <summary>The learner already holds this group (a retry): ignored, never counted twice.</summary>
    Duplicate,
    /// <summary>At least one completion is older than max_staleness allows: regenerate, never train.</summary>
    Stale,
    /// <summary>
    /// Sampled from weights of another learner lineage (see <see cref="LearnerLineage"/>): the learner was restored since,
    /// and the step is redone by the run with fresh prompts. Never trained.
    /// </summary>
    OtherLineage,
}

[GenerateSerializer, Immutable, Alias("grpo.GroupSubmission")]
public sealed record GroupSubmission(
    [property: Id(0)] GroupAcceptance Acceptance,
    [property: Id(1)] long LearnerPolicyVersion);
