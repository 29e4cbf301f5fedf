namespace Grpo.Abstractions.Contracts;

/// <summary>
/// One prompt of a step with its sampled completions as decoded text, their rewards and the advantages the learner
/// trained them with: what a run keeps every log_samples_every steps so users can read what the policy writes.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.SampledGroup")]
public sealed record SampledGroup(
    [property: Id(0)] long Step,
    [property: Id(1)] int PromptIndex,
    [property: Id(2)] string Prompt,
    [property: Id(3)] string? Answer,
    [property: Id(4)] SampledCompletion[] Completions);

[GenerateSerializer, Immutable, Alias("grpo.SampledCompletion")]
public sealed record SampledCompletion(
    [property: Id(0)] string Text,
    [property: Id(1)] float Reward,
    [property: Id(2)] float Advantage,
    [property: Id(3)] int Tokens,
    [property: Id(4)] bool Truncated,
    [property: Id(5)] long PolicyVersion);
