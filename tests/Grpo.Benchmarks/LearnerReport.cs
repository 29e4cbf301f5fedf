namespace Grpo.Benchmarks;

internal sealed record LearnerRow(string Preset, long Parameters, int Completions, int Steps, double SecondsPerStep, double TokensPerSecond,
    double AchievedGflopsPerSecond, double MatmulGflopsPerSecond, double FractionOfMatmul,
    double ReferenceSeconds, double ForwardBackwardSeconds, double OptimizerSeconds);

internal sealed record LearnerReport(IReadOnlyList<LearnerRow> Rows);
