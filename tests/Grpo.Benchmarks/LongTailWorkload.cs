using Grpo.Core.Generation;

namespace Grpo.Benchmarks;

/// <summary>
/// A seeded GRPO-like rollout workload with long-tailed completion lengths: groups of identical random prompts, each
/// completion stopping after k tokens with k Pareto-distributed (shape <see cref="Shape"/>, at least
/// <see cref="ShortestCompletion"/>, capped at the longest allowed): most completions are short, a few run to the cap,
/// as real GRPO completions do (most stop at EOS early, some hit max_completion_tokens).
/// </summary>
internal sealed record LongTailWorkload(int[][] Prompts, int[] CompletionLengths, SampleKey[] Keys)
{
    public const double Shape = 1.1;
    public const int ShortestCompletion = 6;
    public const int PromptTokens = 16;

    public int Requests => Prompts.Length;
    public long Tokens => CompletionLengths.Sum(length => (long)length);

    public static LongTailWorkload Create(int requests, int groupSize, int longestCompletion, int vocab, int seed)
    {
        var random = new Random(seed);
        var groupPrompts = Enumerable.Range(0, (requests + groupSize - 1) / groupSize)
            .Select(_ => Enumerable.Range(0, PromptTokens).Select(_ => random.Next(vocab)).ToArray())
            .ToArray();
        var prompts = Enumerable.Range(0, requests).Select(r => groupPrompts[r / groupSize]).ToArray();
        var lengths = Enumerable.Range(0, requests).Select(_ =>
        {
            // Inverse CDF of the Pareto distribution; 1 - NextDouble() is in (0, 1], so the power stays finite.
            var pareto = ShortestCompletion / Math.Pow(1 - random.NextDouble(), 1 / Shape);
            return (int)Math.Min(longestCompletion, Math.Ceiling(pareto));
        }).ToArray();
        var keys = Enumerable.Range(0, requests)
            .Select(r => new SampleKey((ulong)seed, Step: 0, PromptIndex: r / groupSize, SampleIndex: r % groupSize, Attempt: 0))
            .ToArray();
        return new LongTailWorkload(prompts, lengths, keys);
    }
}
