using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Contracts;

/// <summary>One training step as users watch it and as metrics.jsonl records it.</summary>
[GenerateSerializer, Immutable, Alias("grpo.StepMetrics")]
public sealed record StepMetrics
{
    [Id(0)] public long Step { get; init; }
    [Id(1)] public long PolicyVersion { get; init; }
    [Id(2)] public float MeanReward { get; init; }
    [Id(3)] public float FractionZeroStd { get; init; }
    [Id(4)] public float Loss { get; init; }
    [Id(5)] public float MeanKl { get; init; }
    [Id(6)] public float ClipFraction { get; init; }
    [Id(7)] public float RatioMin { get; init; }
    [Id(8)] public float RatioMax { get; init; }
    [Id(9)] public float GradNorm { get; init; }
    [Id(10)] public double LearningRate { get; init; }
    [Id(11)] public float MeanCompletionLength { get; init; }
    [Id(12)] public int Completions { get; init; }
    [Id(13)] public int GeneratedTokens { get; init; }
    [Id(14)] public double GenerateSeconds { get; init; }
    [Id(15)] public double TrainSeconds { get; init; }
    [Id(16)] public double StepSeconds { get; init; }
    [Id(17)] public double TokensPerSecond { get; init; }
    [Id(18)] public double? HeldOutAccuracy { get; init; }
    [Id(19)] public long MaxStaleness { get; init; }
    [Id(20)] public int Regenerations { get; init; }
    /// <summary>Which silos generated the step's completions: shows rollouts spreading as silos join and leave.</summary>
    [Id(21)] public IReadOnlyDictionary<string, int> CompletionsBySilo { get; init; } = new Dictionary<string, int>();
    /// <summary>The checkpoint folder the learner wrote after this step (checkpoint_every), or null.</summary>
    [Id(22), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Checkpoint { get; init; }
    /// <summary>
    /// The mean score of each reward component (the entries of rewards, unweighted) over the step's completions, filtered groups
    /// included as in <see cref="MeanReward"/>, which is their weighted sum.
    /// </summary>
    [Id(23)] public IReadOnlyDictionary<string, double> RewardComponents { get; init; } = ReadOnlyDictionary<string, double>.Empty;
    /// <summary>Padded positions over all positions of the learner's forward batches this step (group_by_length lowers it).</summary>
    [Id(24)] public float PaddingFraction { get; init; }
    /// <summary>Mean |logπ_learner − logπ_rollout| over the step's trained completion tokens: how far the rollout's numbers (bfloat16, stale weights) are from the learner's.</summary>
    [Id(30)] public float RolloutLogProbDelta { get; init; }
    /// <summary>Mean k3 estimate of KL(π_rollout ‖ π_learner) on the sampled tokens, r − 1 − log r with r = π_learner/π_rollout; never negative.</summary>
    [Id(31)] public float RolloutKl { get; init; }
    /// <summary>Fraction of the step's trained tokens whose weight the rollout correction truncated (tis) or masked out (mis); 0 with none.</summary>
    [Id(32)] public float RolloutCorrectedFraction { get; init; }
    /// <summary>
    /// Fraction of the step's completion tokens sampled by a policy version older than the newest version in their own
    /// completion: how much partial rollout happened (0 without partial_rollouts).
    /// </summary>
    [Id(40)] public float TokensFromOlderVersionFraction { get; init; }
    /// <summary>
    /// Rows of the run the sample ledger has dropped so far on the learner's silo because the database did not answer
    /// while its buffer was full (sample_ledger); 0, and left out of metrics.jsonl, while nothing was lost.
    /// </summary>
    [Id(60), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long LedgerDroppedRows { get; init; }
}
