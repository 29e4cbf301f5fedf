namespace Grpo.Benchmarks;

/// <summary>The performance targets, judged from the figures of one run.</summary>
internal static class Targets
{
    public static IReadOnlyList<TargetCheck> Judge(RolloutScalingReport? rollout, StepReport? step, LearnerReport? learner, PublicationReport? publication,
        MemoryReport? memory = null, LongTailReport? longTail = null, ScaleOutReport? scaleOut = null) =>
    [
        new("engine in cluster / plain batcher, long-tail workload, demo preset, batch 32", EngineRatio(rollout, 32), 0.95, AtLeast: true, "%"),
        new("engine in cluster / plain batcher, long-tail workload, demo preset, batch 128", EngineRatio(rollout, 128), 0.95, AtLeast: true, "%"),
        new("Orleans messaging and scheduling share of a demo step", step?.MessagingShare, 0.10, AtLeast: false, "%"),
        new("learner GFLOP/s / matmul GFLOP/s, 50M preset",
            learner?.Rows.FirstOrDefault(r => r.Preset == BenchRuns.LargePreset)?.FractionOfMatmul, 0.5, AtLeast: true, "%"),
        new("weight publication between two silos, ~200 MB model",
            publication?.Preset == BenchRuns.LargePreset ? publication.MedianMegabytesPerSecond : null, 1000, AtLeast: true, "MB/s"),
        new("learner egress per version, 4 rollout silos pulling at once (relays)",
            publication?.Egress.FirstOrDefault(e => e.Pullers == 4)?.LearnerImages, 1.25, AtLeast: false, "images"),
        new("learner GFLOP/s / matmul GFLOP/s, Qwen2.5-0.5B shape",
            memory is { Shape: "qwen2.5-0.5b", Learner: { } halfB } ? halfB.FractionOfMatmul : null, 0.5, AtLeast: true, "%"),
        new("continuous / static batching tokens/s, long-tailed workload, 50M preset",
            longTail?.Rows.FirstOrDefault(r => r.Preset == BenchRuns.LargePreset)?.Ratio, LongTailBenchmark.TargetRatio, AtLeast: true, "x"),
        new("rollout tokens/s, 2 pinned rollout silo processes / 1", scaleOut?.RolloutRatio, 1.8, AtLeast: true, "x"),
        new("learner egress per version, 4 rollout silo processes, small preset",
            scaleOut?.Egress.FirstOrDefault(e => e.Silos == 4 && e.Preset == "small")?.LearnerImagesPerVersion, 1.25, AtLeast: false, "images"),
        new("steps/hour, max_staleness 1 / 0, learner and rollout silo processes on their own cores", scaleOut?.StalenessRatio, 1.3, AtLeast: true, "x"),
    ];

    static double? EngineRatio(RolloutScalingReport? rollout, int batchSize) => rollout?.Rows
        .FirstOrDefault(r => r.Preset == BenchRuns.DemoPreset && r.Workload == RolloutWorkload.LongTail.Name && r.BatchSize == batchSize)?.Ratio;
}
