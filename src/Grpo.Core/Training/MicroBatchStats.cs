using Grpo.Core.Algorithm;

namespace Grpo.Core.Training;

/// <summary>
/// Combines the statistics of a minibatch's micro-batches into the minibatch's: the loss shares add up, token means
/// (KL, clip fractions, rollout mismatch) are weighted by each micro-batch's unmasked tokens, the mean length by its completions, and the
/// ratio extremes are taken over the micro-batches that have tokens.
/// </summary>
public sealed class MicroBatchStats
{
    readonly List<(GrpoStats Stats, long Tokens, int Completions)> parts = [];

    /// <param name="tokens">Unmasked completion tokens of the micro-batch.</param>
    public void Add(GrpoStats stats, long tokens, int completions) => parts.Add((stats, tokens, completions));

    public GrpoStats Combined()
    {
        if (parts.Count == 0) throw new InvalidOperationException("no micro-batch statistics to combine.");
        if (parts.Count == 1) return parts[0].Stats;
        var tokens = parts.Sum(p => p.Tokens);
        var completions = parts.Sum(p => p.Completions);
        float TokenMean(Func<GrpoStats, float> read) =>
            tokens == 0 ? 0f : (float)(parts.Sum(p => (double)read(p.Stats) * p.Tokens) / tokens);
        var withTokens = parts.Where(p => p.Tokens > 0).ToArray();
        var clipLow = TokenMean(s => s.ClipFractionLow);
        var clipHigh = TokenMean(s => s.ClipFractionHigh);
        return new GrpoStats(
            Loss: (float)parts.Sum(p => (double)p.Stats.Loss),
            MeanKl: TokenMean(s => s.MeanKl),
            ClipFractionLow: clipLow,
            ClipFractionHigh: clipHigh,
            ClipFraction: clipLow + clipHigh,
            RatioMin: withTokens.Length == 0 ? float.NaN : withTokens.Min(p => p.Stats.RatioMin),
            RatioMax: withTokens.Length == 0 ? float.NaN : withTokens.Max(p => p.Stats.RatioMax),
            MeanCompletionLength: (float)(parts.Sum(p => (double)p.Stats.MeanCompletionLength * p.Completions) / completions),
            RolloutLogProbDelta: TokenMean(s => s.RolloutLogProbDelta),
            RolloutKl: TokenMean(s => s.RolloutKl),
            RolloutCorrectedFraction: TokenMean(s => s.RolloutCorrectedFraction));
    }
}
