namespace Grpo.Grains.Ledger;

/// <summary>
/// One trained completion as the sample ledger records it. (RunId, Step, PromptIndex, SampleIndex) is its natural key:
/// a step redone after the learner was restored from a checkpoint writes the same keys again and replaces the rows.
/// </summary>
/// <param name="Lineage">The learner lineage whose weights sampled it.</param>
/// <param name="ImageSha256">The SHA-256 of the published weight image of (lineage, policy version); null when the learner did not publish it (a weight source without learners).</param>
/// <param name="Silo">The silo whose rollout engine generated it.</param>
/// <param name="RewardComponents">The unweighted score of each reward component, by name.</param>
/// <param name="FinishReason">eos, stop_string or length.</param>
public sealed record LedgerRow(
    string RunId,
    long Step,
    int PromptIndex,
    int SampleIndex,
    string GroupId,
    long PolicyVersion,
    string Lineage,
    string? ImageSha256,
    string Silo,
    float Reward,
    IReadOnlyDictionary<string, float> RewardComponents,
    float Advantage,
    int TokenCount,
    string FinishReason,
    string Prompt,
    string Text);
