namespace Grpo.Benchmarks;

internal sealed record RolloutScalingRow(string Preset, int BatchSize, double EngineTokensPerSecond, double PlainTokensPerSecond, double Ratio,
    int EngineRounds, int PlainRounds);

internal sealed record RolloutScalingReport(IReadOnlyList<RolloutScalingRow> Rows);
