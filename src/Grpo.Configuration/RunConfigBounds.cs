namespace Grpo.Configuration;

/// <summary>
/// Upper bounds of the sizes and counts of a run configuration. A silo takes configurations from whoever reaches its
/// gateway, and an absurd size (a group of a billion completions, a million-token completion) would exhaust its memory
/// or hold it busy for ever before anything else could refuse it. Each bound is well above what a real run needs.
/// </summary>
public static class RunConfigBounds
{
    public const int MaxSteps = 10_000_000;
    public const int MaxPromptsPerStep = 65_536;
    public const int MaxGroupSize = 1024;

    /// <summary>Completions of one step: prompts_per_step × group_size.</summary>
    public const long MaxCompletionsPerStep = 1 << 20;

    public const int MaxStaleness = 64;
    public const int MaxCompletionTokens = 131_072;
    public const int MaxTopK = 1 << 20;
    public const int MaxStopStrings = 64;
    public const int MaxStopStringLength = 1024;
    public const int MaxSystemPromptLength = 1 << 20;
    public const int MaxNumIterations = 64;
    public const int MaxBatchSize = 1 << 20;
    public const int MaxLogProbChunkSize = 131_072;
    public const int MaxDynamicSamplingRounds = 1000;
    public const int MaxHeldOutSize = 1_000_000;
    public const int MaxLoraRank = 4096;
    public const int MaxLoraTargetModules = 7;
    public const int MaxWarmupSftSteps = 10_000_000;
    public const int MaxKeepCheckpoints = 1000;
    public const int MaxRolloutBatch = 65_536;
    public const int MaxRolloutBatchWaitMs = 60_000;
    public const int MaxCompletionTimeoutSeconds = 86_400;
    public const int MaxComponentCount = 64;
}
