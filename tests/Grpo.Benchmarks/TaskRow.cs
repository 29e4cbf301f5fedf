namespace Grpo.Benchmarks;

/// <summary>One completion request of a benchmark round: prompt index within the round, sample index within its group.</summary>
internal sealed record TaskRow(int Group, int Sample, string Prompt, string? Answer, int[] Tokens);
