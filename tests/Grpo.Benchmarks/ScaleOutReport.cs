namespace Grpo.Benchmarks;

/// <summary>What the scale-out benchmark measured on real grpo-silo processes; a part that did not run is empty.</summary>
internal sealed record ScaleOutReport(
    IReadOnlyList<RolloutScaleOutFigure> Rollout,
    IReadOnlyList<EgressScaleOutFigure> Egress,
    IReadOnlyList<StalenessFigure> Staleness)
{
    /// <summary>Rollout tokens/s of two pinned rollout silos over one's.</summary>
    public double? RolloutRatio => Ratio(Rollout.FirstOrDefault(r => r.Silos == 2)?.TokensPerSecond, Rollout.FirstOrDefault(r => r.Silos == 1)?.TokensPerSecond);

    /// <summary>Steps/hour with max_staleness 1 over the mean of the max_staleness 0 runs (measured before and after the others).</summary>
    public double? StalenessRatio => Ratio(Staleness.FirstOrDefault(s => s.MaxStaleness == 1)?.StepsPerHour,
        Staleness.Any(s => s.MaxStaleness == 0) ? Staleness.Where(s => s.MaxStaleness == 0).Average(s => s.StepsPerHour) : null);

    static double? Ratio(double? over, double? under) => over is { } o && under is { } u && u > 0 ? o / u : null;
}

/// <param name="Silos">rollout silo processes, each on its own core with one torch thread</param>
/// <param name="Seconds">the measured window (after every silo served a completion and a warm-up)</param>
/// <param name="CompletionsBySilo">completions finished in the window, by the silo that generated them</param>
/// <param name="Load">/proc/loadavg (1, 5, 15 minutes) before and after, e.g. "1.02 0.80 0.55 → 2.10 1.00 0.61"</param>
internal sealed record RolloutScaleOutFigure(
    int Silos, string Preset, int MaxCompletionTokens, int RolloutMaxBatch, int InFlight, double Seconds, long Tokens, int Completions,
    double TokensPerSecond, IReadOnlyDictionary<string, int> CompletionsBySilo, string Load);

/// <param name="Silos">rollout silo processes (not pinned) pulling every version of a training run</param>
/// <param name="Versions">policy versions the rollouts pulled: the initial one and one per step but the last</param>
/// <param name="LearnerImagesPerVersion">bytes the learner sent to rollout silos over the bytes of those versions</param>
/// <param name="RelayedImagesPerVersion">bytes rollout silos sent each other (relays) over the bytes of those versions</param>
internal sealed record EgressScaleOutFigure(
    string Preset, int Silos, long Versions, double ImageMegabytes, double LearnerImagesPerVersion, double RelayedImagesPerVersion, double Seconds, string Load);

/// <param name="MeasuredSteps">GRPO steps between the first <c>SkippedSteps</c> and the end of the run</param>
/// <param name="MeanGenerateSeconds">mean of the measured steps' own generation time (overlaps the learner's with max_staleness &gt; 0)</param>
internal sealed record StalenessFigure(
    int MaxStaleness, int SkippedSteps, int MeasuredSteps, double Seconds, double StepsPerHour,
    double MeanGenerateSeconds, double MeanTrainSeconds, double? FinalAccuracy, string Load);
