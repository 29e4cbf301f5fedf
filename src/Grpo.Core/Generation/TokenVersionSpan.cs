namespace Grpo.Core.Generation;

/// <summary>
/// <see cref="Tokens"/> consecutive completion tokens sampled with the weights of policy <see cref="Version"/>. A
/// completion's spans, in order, cover its tokens exactly; there is more than one only when the weights changed while it
/// was decoding (partial rollouts).
/// </summary>
public readonly record struct TokenVersionSpan(long Version, int Tokens);
