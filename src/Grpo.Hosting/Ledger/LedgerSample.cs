namespace Grpo.Hosting.Ledger;

/// <summary>One row of the sample ledger as <c>grpo samples</c> reads it back.</summary>
public sealed record LedgerSample(
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
    string Completion,
    DateTimeOffset RecordedAt);
