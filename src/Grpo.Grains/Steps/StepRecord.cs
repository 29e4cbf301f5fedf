using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Steps;

/// <summary>What a run records of one finished step.</summary>
internal static class StepRecord
{
    /// <summary>
    /// The learner's metrics of the step completed with what its rollouts reported: rewards, their components and zero-std
    /// groups over every group sampled (filtered ones too), generated tokens, where they were generated, and the step's times.
    /// </summary>
    public static StepMetrics Metrics(StepMetrics trained, GroupOutcome[] outcomes, double generateSeconds, double stepSeconds, double? heldOutAccuracy)
    {
        var tokens = outcomes.Sum(o => o.GeneratedTokens);
        return trained with
        {
            MeanReward = outcomes.Average(o => o.MeanReward),
            FractionZeroStd = outcomes.Count(o => o.ZeroStd) / (float)outcomes.Length,
            GeneratedTokens = tokens,
            GenerateSeconds = generateSeconds,
            StepSeconds = stepSeconds,
            TokensPerSecond = generateSeconds > 0 ? tokens / generateSeconds : 0,
            HeldOutAccuracy = heldOutAccuracy,
            Regenerations = outcomes.Sum(o => o.Regenerations),
            CompletionsBySilo = outcomes.SelectMany(o => o.CompletionsBySilo)
                .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)),
            // Averaged over groups as MeanReward is (every group has group_size completions), so MeanReward stays their weighted sum.
            RewardComponents = outcomes.SelectMany(o => o.RewardComponents)
                .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Average(kv => kv.Value)),
        };
    }
}
