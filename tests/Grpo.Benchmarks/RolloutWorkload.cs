using Grpo.Abstractions.Configuration;

namespace Grpo.Benchmarks;

/// <summary>
/// What the rollout benchmark asks of the engine. <see cref="Short"/> is the demo run's own: completions of at most
/// 8 tokens, where the cost of each request dominates. <see cref="LongTail"/> lets completions run to
/// <see cref="LongTailMaxTokens"/> tokens and stop at the model's end-of-sequence token, as a GRPO run's do: with the
/// seeded weights each token is the end one with a probability of about one in the vocabulary's size, so the lengths
/// fall off geometrically, most completions stop early and a few reach the limit.
/// </summary>
internal sealed record RolloutWorkload(string Name, Func<RunConfig, RunConfig> Apply)
{
    public const int LongTailMaxTokens = 64;

    public static readonly RolloutWorkload Short = new("short", config => config);
    public static readonly RolloutWorkload LongTail = new("long-tail", config => config with { MaxCompletionTokens = LongTailMaxTokens });
}
