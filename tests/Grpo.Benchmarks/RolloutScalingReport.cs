namespace Grpo.Benchmarks;

/// <param name="CompletionLengths">the lengths of the last round's completions in the cluster, for the workload's shape</param>
internal sealed record RolloutScalingRow(string Preset, string Workload, int BatchSize, double EngineTokensPerSecond, double PlainTokensPerSecond,
    double Ratio, int EngineRounds, int PlainRounds, IReadOnlyList<int> CompletionLengths, bool SameTokens);

internal sealed record RolloutScalingReport(IReadOnlyList<RolloutScalingRow> Rows);
