namespace Grpo.Benchmarks;

/// <summary>The benchmark's JSON report: both modes measured in one run, side by side.</summary>
internal sealed record BatchingReport(
    string Benchmark,
    DateTimeOffset StartedAt,
    bool Quick,
    string ModelPreset,
    string Task,
    int ConcurrentRequests,
    int MaxCompletionTokens,
    int ProcessorCount,
    RolloutModeResult Batched,
    RolloutModeResult OneAtATime,
    double Speedup,
    double TargetSpeedup);
