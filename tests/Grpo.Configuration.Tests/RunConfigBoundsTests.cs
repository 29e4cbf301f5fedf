using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration.Tests;

/// <summary>The upper bounds a silo holds a submitted configuration to: each one just above is refused naming its key, each one at its bound is accepted.</summary>
public sealed class RunConfigBoundsTests
{
    private static readonly RunConfig Defaults = new();

    /// <summary>Each bounded key with a configuration that sets it to <c>value</c>.</summary>
    private static readonly Dictionary<string, (int Bound, Func<int, RunConfig> With)> Bounded = new()
    {
        ["steps"] = (RunConfigBounds.MaxSteps, v => Defaults with { Steps = v }),
        ["prompts_per_step"] = (RunConfigBounds.MaxPromptsPerStep, v => Defaults with { PromptsPerStep = v, GroupSize = 2 }),
        ["group_size"] = (RunConfigBounds.MaxGroupSize, v => Defaults with { GroupSize = v }),
        ["max_staleness"] = (RunConfigBounds.MaxStaleness, v => Defaults with { MaxStaleness = v }),
        ["max_completion_tokens"] = (RunConfigBounds.MaxCompletionTokens, v => Defaults with { MaxCompletionTokens = v }),
        ["top_k"] = (RunConfigBounds.MaxTopK, v => Defaults with { TopK = v }),
        ["num_iterations"] = (RunConfigBounds.MaxNumIterations, v => Defaults with { NumIterations = v }),
        ["minibatch_size"] = (RunConfigBounds.MaxBatchSize, v => Defaults with { MinibatchSize = v }),
        ["micro_batch_size"] = (RunConfigBounds.MaxBatchSize, v => Defaults with { MicroBatchSize = v }),
        ["logprob_chunk_size"] = (RunConfigBounds.MaxLogProbChunkSize, v => Defaults with { LogProbChunkSize = v }),
        ["dynamic_sampling_max_rounds"] = (RunConfigBounds.MaxDynamicSamplingRounds, v => Defaults with { DynamicSamplingMaxRounds = v }),
        ["held_out_size"] = (RunConfigBounds.MaxHeldOutSize, v => Defaults with { HeldOutSize = v }),
        ["lora_rank"] = (RunConfigBounds.MaxLoraRank, v => Defaults with { LoraRank = v }),
        ["warmup_sft_steps"] = (RunConfigBounds.MaxWarmupSftSteps, v => Defaults with { WarmupSftSteps = v }),
        ["warmup_sft_batch_size"] = (RunConfigBounds.MaxBatchSize, v => Defaults with { WarmupSftBatchSize = v }),
        ["log_samples_prompts"] = (RunConfigBounds.MaxPromptsPerStep, v => Defaults with { LogSamplesPrompts = v }),
        ["keep_checkpoints"] = (RunConfigBounds.MaxKeepCheckpoints, v => Defaults with { KeepCheckpoints = v }),
        ["sample_ledger_buffer_rows"] = (RunConfigBounds.MaxSampleLedgerBufferRows, v => Defaults with { SampleLedgerBufferRows = v }),
        ["rollout_max_batch"] = (RunConfigBounds.MaxRolloutBatch, v => Defaults with { RolloutMaxBatch = v }),
        ["rollout_batch_wait_ms"] = (RunConfigBounds.MaxRolloutBatchWaitMs, v => Defaults with { RolloutBatchWaitMs = v }),
        ["completion_timeout_seconds"] = (RunConfigBounds.MaxCompletionTimeoutSeconds, v => Defaults with { CompletionTimeoutSeconds = v }),
    };

    public static TheoryData<string> BoundedKeys => [.. Bounded.Keys];

    [Theory]
    [MemberData(nameof(BoundedKeys))]
    public void A_value_above_its_bound_is_refused_naming_the_key_the_bound_and_the_value(string key)
    {
        var (bound, with) = Bounded[key];

        var problems = RunConfigValidator.FindProblems(with(bound + 1));

        var problem = Assert.Single(problems, p => p.Key == key);
        Assert.Equal($"must be at most {bound}, got {bound + 1}", problem.Message);
    }

    [Theory]
    [MemberData(nameof(BoundedKeys))]
    public void A_value_at_its_bound_is_accepted(string key)
    {
        var (bound, with) = Bounded[key];

        Assert.DoesNotContain(RunConfigValidator.FindProblems(with(bound)), p => p.Key == key);
    }

    [Fact]
    public void Prompts_per_step_times_group_size_is_bounded_as_the_completions_of_a_step()
    {
        var prompts = RunConfigBounds.MaxPromptsPerStep;
        var group = (int)(RunConfigBounds.MaxCompletionsPerStep / prompts) + 1;

        var problem = Assert.Single(RunConfigValidator.FindProblems(Defaults with { PromptsPerStep = prompts, GroupSize = group }));

        Assert.Equal("prompts_per_step", problem.Key);
        Assert.Equal($"times group_size is {(long)prompts * group} completions per step, more than {RunConfigBounds.MaxCompletionsPerStep}", problem.Message);
        Assert.Empty(RunConfigValidator.FindProblems(Defaults with { PromptsPerStep = prompts, GroupSize = group - 1 }));
    }

    [Fact]
    public void Stop_strings_system_prompt_lora_targets_and_rewards_are_bounded_in_count_and_length()
    {
        var config = Defaults with
        {
            StopStrings = [.. Enumerable.Range(0, RunConfigBounds.MaxStopStrings).Select(i => $"#{i}"), new string('x', RunConfigBounds.MaxStopStringLength + 1)],
            ModelPath = "/models/m",
            SystemPrompt = new string('s', RunConfigBounds.MaxSystemPromptLength + 1),
            LoraTargetModules = ["q", "k", "v", "o", "gate", "up", "down", "q"],
            Rewards = [.. Enumerable.Repeat(new ComponentSpec("answer"), RunConfigBounds.MaxComponentCount + 1)],
        };

        var problems = RunConfigValidator.FindProblems(config).Select(p => p.ToString()).ToArray();

        Assert.Contains($"stop_strings: holds {RunConfigBounds.MaxStopStrings + 1} strings, more than {RunConfigBounds.MaxStopStrings}", problems);
        Assert.Contains($"stop_strings: holds a string of {RunConfigBounds.MaxStopStringLength + 1} characters, more than {RunConfigBounds.MaxStopStringLength}", problems);
        Assert.Contains($"system_prompt: has {RunConfigBounds.MaxSystemPromptLength + 1} characters, more than {RunConfigBounds.MaxSystemPromptLength}", problems);
        Assert.Contains($"lora_target_modules: names 8 projections; a decoder layer has {RunConfigBounds.MaxLoraTargetModules}", problems);
        Assert.Contains($"rewards: holds {RunConfigBounds.MaxComponentCount + 1} rewards, more than {RunConfigBounds.MaxComponentCount}", problems);
    }

    [Fact]
    public void Every_absurd_size_of_one_configuration_is_reported_at_once()
    {
        var hostile = Defaults with { GroupSize = int.MaxValue, MaxCompletionTokens = int.MaxValue, Steps = int.MaxValue };

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(hostile, "submitted"));

        Assert.Contains($"group_size: must be at most {RunConfigBounds.MaxGroupSize}, got {int.MaxValue}", error.Problems);
        Assert.Contains($"max_completion_tokens: must be at most {RunConfigBounds.MaxCompletionTokens}, got {int.MaxValue}", error.Problems);
        Assert.Contains($"steps: must be at most {RunConfigBounds.MaxSteps}, got {int.MaxValue}", error.Problems);
    }
}
