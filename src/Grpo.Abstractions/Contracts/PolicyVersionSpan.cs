namespace Grpo.Abstractions.Contracts;

/// <summary>
/// <see cref="Tokens"/> consecutive completion tokens sampled with the weights of policy <see cref="Version"/>: a
/// completion's spans, in order, cover its tokens (more than one only with partial_rollouts).
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.PolicyVersionSpan")]
public readonly record struct PolicyVersionSpan(
    [property: Id(0)] long Version,
    [property: Id(1)] int Tokens);
