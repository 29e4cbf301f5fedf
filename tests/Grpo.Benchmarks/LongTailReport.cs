namespace Grpo.Benchmarks;

/// <summary>Continuous against static batching on the long-tailed workload, one row per preset.</summary>
internal sealed record LongTailReport(IReadOnlyList<LongTailRow> Rows, double TargetRatio);

/// <param name="MedianCompletion">median of the workload's completion lengths (tokens)</param>
/// <param name="Ratio">continuous tokens/s over static tokens/s</param>
internal sealed record LongTailRow(
    string Preset, int Requests, int Slots, int LongestCompletion, int MedianCompletion, long Tokens,
    double StaticTokensPerSecond, double ContinuousTokensPerSecond, double Ratio, int Rounds);
