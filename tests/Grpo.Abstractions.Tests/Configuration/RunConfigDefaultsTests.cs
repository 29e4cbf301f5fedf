using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class RunConfigDefaultsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        RunConfigLoader.Validate(new RunConfig(), "defaults");
    }

    [Fact]
    public void Defaults_match_the_design()
    {
        var config = new RunConfig();

        Assert.Equal(0, config.Seed);
        Assert.Equal(300, config.Steps);
        Assert.Equal(64, config.PromptsPerStep);
        Assert.Equal(8, config.GroupSize);
        Assert.Equal(0, config.MaxStaleness);
        Assert.Equal(1.0f, config.Temperature);
        Assert.Equal(1.0f, config.TopP);
        Assert.Equal(0, config.TopK);
        Assert.Equal(8, config.MaxCompletionTokens);
        Assert.Empty(config.StopStrings);
        Assert.Equal(0.04f, config.Beta);
        Assert.Equal(KlEstimatorKind.K3, config.KlEstimator);
        Assert.Equal(0.2f, config.Epsilon);
        Assert.Null(config.EpsilonHigh);
        Assert.Equal(LossKind.Grpo, config.LossType);
        Assert.Equal(ScaleRewardsKind.Group, config.ScaleRewards);
        Assert.Equal(ImportanceSamplingKind.Token, config.ImportanceSampling);
        Assert.Equal(1, config.NumIterations);
        Assert.False(config.MaskTruncated);
        Assert.False(config.DynamicSampling);
        Assert.Equal(5e-4, config.LearningRate);
        Assert.Equal(LearningRateScheduleKind.WarmupCosine, config.LrSchedule);
        Assert.Equal(0, config.LrWarmupSteps);
        Assert.Equal(0.0, config.WeightDecay);
        Assert.Equal(1.0, config.MaxGradNorm);
        Assert.Equal(128, config.MinibatchSize);
        Assert.Equal("tiny", config.ModelPreset);
        Assert.Null(config.ModelPath);
        Assert.Equal("arithmetic", config.Task);
        Assert.Null(config.DatasetPath);
        Assert.Equal("question", config.PromptField);
        Assert.Equal("answer", config.AnswerField);
        Assert.Equal(99, config.ArithmeticMaxOperand);
        Assert.Equal(200, config.HeldOutSize);
        Assert.Equal(1500, config.WarmupSftSteps);
        Assert.Equal(0.35, config.WarmupSftTargetAccuracy);
        Assert.Equal(64, config.WarmupSftBatchSize);
        Assert.Equal(3e-3, config.WarmupSftLearningRate);
        Assert.Equal(50, config.EvalEvery);
        Assert.Equal(0, config.CheckpointEvery);
        Assert.Equal(3, config.KeepCheckpoints);
        Assert.Equal(512, config.RolloutMaxBatch);
        Assert.Equal(5, config.RolloutBatchWaitMs);
        Assert.Equal(4194304, config.WeightChunkBytes);
        Assert.Equal(120, config.CompletionTimeoutSeconds);
    }

    [Fact]
    public void Keys_lists_every_snake_case_key_once_in_record_order()
    {
        string[] expected =
        [
            "seed", "steps", "prompts_per_step", "group_size", "max_staleness",
            "temperature", "top_p", "top_k", "max_completion_tokens", "stop_strings",
            "beta", "kl_estimator", "epsilon", "epsilon_high", "loss_type", "scale_rewards", "importance_sampling",
            "num_iterations", "mask_truncated", "dynamic_sampling",
            "learning_rate", "lr_schedule", "lr_warmup_steps", "weight_decay", "max_grad_norm", "minibatch_size",
            "model_preset", "model_path", "task", "dataset_path", "prompt_field", "answer_field",
            "system_prompt", "use_chat_template", "enable_thinking", "compute_dtype", "reward_weights", "format_pattern",
            "dynamic_sampling_max_rounds", "arithmetic_max_operand", "held_out_size",
            "warmup_sft_steps", "warmup_sft_batch_size", "warmup_sft_learning_rate", "warmup_sft_target_accuracy",
            "eval_every", "checkpoint_every", "keep_checkpoints", "log_samples_every", "log_samples_prompts",
            "rollout_max_batch", "rollout_batch_wait_ms", "weight_chunk_bytes", "completion_timeout_seconds",
        ];

        Assert.Equal(expected, RunConfigLoader.Keys);
    }

    [Fact]
    public void Equality_compares_stop_strings_by_content()
    {
        var first = new RunConfig { StopStrings = ["\n", "###"] };
        var second = new RunConfig { StopStrings = ["\n", "###"] };
        var different = new RunConfig { StopStrings = ["\n"] };

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, different);
        Assert.NotEqual(first, new RunConfig());
        Assert.Equal(new RunConfig(), new RunConfig());
    }

    [Fact]
    public void Stop_strings_are_copied_so_the_callers_array_cannot_change_the_config()
    {
        string[] stops = ["a"];
        var config = new RunConfig { StopStrings = stops };

        stops[0] = "b";

        Assert.Equal(["a"], config.StopStrings);
    }

    [Fact]
    public void Equality_sees_every_property()
    {
        foreach (var key in RunConfigLoader.Keys)
        {
            var (context, change) = ValidChange(key);
            var baseline = RunConfigLoader.ApplyOverrides(new RunConfig(), context);

            var changed = RunConfigLoader.ApplyOverrides(baseline, [change]);

            Assert.True(baseline != changed, $"changing {key} left the config equal");
        }
    }

    // An assignment that moves the key away from its value in the context, which itself stays valid.
    private static (string[] Context, string Change) ValidChange(string key) => key switch
    {
        "task" => (["dataset_path=data.jsonl"], "task=jsonl"),
        "lr_warmup_steps" => (["lr_schedule=warmup_cosine"], "lr_warmup_steps=5"),
        "temperature" or "top_p" or "epsilon" => ([], key + "=0.5"),
        "beta" or "learning_rate" or "weight_decay" or "max_grad_norm" or "warmup_sft_learning_rate" or "warmup_sft_target_accuracy" => ([], key + "=0.25"),
        "epsilon_high" => ([], "epsilon_high=0.3"),
        "kl_estimator" => ([], "kl_estimator=k1"),
        "loss_type" => ([], "loss_type=dr_grpo"),
        "scale_rewards" => ([], "scale_rewards=none"),
        "importance_sampling" => ([], "importance_sampling=sequence"),
        "lr_schedule" => ([], "lr_schedule=constant"),
        "mask_truncated" or "dynamic_sampling" => ([], key + "=true"),
        "stop_strings" => ([], "stop_strings=###"),
        "model_preset" => ([], "model_preset=small"),
        "model_path" => ([], "model_path=/models/qwen"),
        "dataset_path" => ([], "dataset_path=data.jsonl"),
        "system_prompt" => (["model_path=/models/qwen"], "system_prompt=Be brief."),
        "use_chat_template" or "enable_thinking" => ([], key + "=false"),
        "compute_dtype" => ([], "compute_dtype=bfloat16"),
        "reward_weights" => ([], "reward_weights=answer=1,format=0.1"),
        "format_pattern" => ([], "format_pattern=####"),
        "prompt_field" or "answer_field" => ([], key + "=text"),
        "weight_chunk_bytes" => ([], "weight_chunk_bytes=65536"),
        _ => ([], key + "=7"),
    };
}
