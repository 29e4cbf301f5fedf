namespace Grpo.Benchmarks;

/// <summary>
/// Scale-out and async speed-up on real grpo-silo processes: rollout tokens/s with 1 and 2 pinned rollout silos, the
/// learner's egress per version with 1, 2 and 4 rollout silos, and steps/hour with max_staleness 0, 1 and 2.
/// Not part of `all`: it starts up to five silo processes and takes about ten minutes.
/// </summary>
internal static class ScaleOutBenchmark
{
    public static async Task<ScaleOutReport> RunAsync(bool quick, TextWriter log)
    {
        if (Environment.ProcessorCount < 2)
            throw new InvalidOperationException($"the scale-out benchmark pins silos to cores 0 and 1, but this machine has {Environment.ProcessorCount} core.");
        log.WriteLine($"scale-out: rollout tokens/s, 1 and 2 rollout silos on their own cores (load {LoadAverage.Now()})");
        var rollout = await RolloutScaleOutBenchmark.RunAsync(quick, log);
        log.WriteLine($"scale-out: learner egress per version, 1, 2 and 4 rollout silos (load {LoadAverage.Now()})");
        var egress = await EgressScaleOutBenchmark.RunAsync(quick, log);
        log.WriteLine($"scale-out: steps/hour by max_staleness, learner on core 0, rollouts on core 1 (load {LoadAverage.Now()})");
        var staleness = await StalenessBenchmark.RunAsync(quick, log);
        return new ScaleOutReport(rollout, egress, staleness);
    }
}
