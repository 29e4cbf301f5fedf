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
    public const int MaxSampleLedgerBufferRows = 10_000_000;

    /// <summary>Each bound as docs/configuration.md lists it: the key (or keys) and the largest value allowed.</summary>
    public static IReadOnlyList<(string Keys, string Limit)> Documented { get; } =
    [
        ("steps", Number(MaxSteps)),
        ("prompts_per_step, log_samples_prompts", Number(MaxPromptsPerStep)),
        ("group_size", Number(MaxGroupSize)),
        ("prompts_per_step × group_size", Number(MaxCompletionsPerStep) + " completions per step"),
        ("max_staleness", Number(MaxStaleness)),
        ("max_completion_tokens", Number(MaxCompletionTokens)),
        ("top_k", Number(MaxTopK)),
        ("stop_strings", $"{Number(MaxStopStrings)} strings of at most {Number(MaxStopStringLength)} characters"),
        ("system_prompt", Number(MaxSystemPromptLength) + " characters"),
        ("num_iterations", Number(MaxNumIterations)),
        ("minibatch_size, micro_batch_size, warmup_sft_batch_size", Number(MaxBatchSize)),
        ("logprob_chunk_size", Number(MaxLogProbChunkSize)),
        ("dynamic_sampling_max_rounds", Number(MaxDynamicSamplingRounds)),
        ("held_out_size", Number(MaxHeldOutSize)),
        ("lora_rank", Number(MaxLoraRank)),
        ("lora_target_modules", Number(MaxLoraTargetModules) + " projections"),
        ("warmup_sft_steps", Number(MaxWarmupSftSteps)),
        ("keep_checkpoints", Number(MaxKeepCheckpoints)),
        ("rollout_max_batch", Number(MaxRolloutBatch)),
        ("rollout_batch_wait_ms", Number(MaxRolloutBatchWaitMs)),
        ("completion_timeout_seconds", Number(MaxCompletionTimeoutSeconds)),
        ("rewards", Number(MaxComponentCount) + " entries"),
        ("sample_ledger_buffer_rows", Number(MaxSampleLedgerBufferRows)),
    ];

    private static string Number(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
