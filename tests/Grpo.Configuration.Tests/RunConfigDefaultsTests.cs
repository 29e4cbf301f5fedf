using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

public sealed class RunConfigDefaultsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        RunConfigLoader.Validate(new RunConfig(), "defaults", RunComponentCatalog.Default);
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
        Assert.Equal(new ComponentSpec("k3"), config.KlEstimator);
        Assert.Equal(0.2f, config.Epsilon);
        Assert.Equal(new ComponentSpec("clip"), config.PolicyLoss);
        Assert.Equal(new ComponentSpec("grpo"), config.LossType);
        Assert.Equal(new ComponentSpec("grpo"), config.AdvantageEstimator);
        Assert.Equal("token", config.ImportanceSampling);
        Assert.Equal("warmup_cosine", config.LrSchedule);
        Assert.Equal("float32", config.ComputeDtype);
        Assert.Equal(0, config.MicroBatchSize);
        Assert.False(config.GroupByLength);
        Assert.Equal("float32", config.LearnerComputeDtype);
        Assert.Equal(0, config.LogProbChunkSize);
        Assert.False(config.GradientCheckpointing);
        Assert.Equal(new ComponentSpec("arithmetic"), config.Task);
        var reward = Assert.Single(config.Rewards);
        Assert.Equal("answer", reward.Name);
        Assert.Equal(1.0, RewardWeights.Of(reward));
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
        Assert.False(config.PartialRollouts);
    }

    [Fact]
    public void Keys_lists_every_snake_case_key_once_in_record_order()
    {
        string[] expected =
        [
            "seed", "steps", "prompts_per_step", "group_size", "max_staleness",
            "temperature", "top_p", "top_k", "max_completion_tokens", "stop_strings",
            "beta", "kl_estimator", "epsilon", "epsilon_high", "policy_loss", "loss_type", "advantage_estimator", "importance_sampling",
            "old_logprobs", "rollout_correction",
            "num_iterations", "mask_truncated", "dynamic_sampling",
            "learning_rate", "lr_schedule", "lr_warmup_steps", "weight_decay", "max_grad_norm", "minibatch_size",
            "micro_batch_size", "group_by_length", "learner_compute_dtype", "logprob_chunk_size", "gradient_checkpointing",
            "model_preset", "model_path", "task",
            "system_prompt", "use_chat_template", "enable_thinking", "compute_dtype", "rewards",
            "dynamic_sampling_max_rounds", "held_out_size",
            "lora_rank", "lora_alpha", "lora_dropout", "lora_target_modules", "lora_base_dtype",
            "warmup_sft_steps", "warmup_sft_batch_size", "warmup_sft_learning_rate", "warmup_sft_target_accuracy",
            "eval_every", "checkpoint_every", "keep_checkpoints", "export_final_model", "log_samples_every", "log_samples_prompts",
            "sample_ledger", "sample_ledger_buffer_rows",
            "rollout_max_batch", "partial_rollouts", "rollout_batch_wait_ms", "weight_chunk_bytes", "completion_timeout_seconds",
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
    public void Equality_compares_rewards_and_components_by_content()
    {
        RunConfig Make() => new()
        {
            Rewards = [new ComponentSpec("answer"), new ComponentSpec("format").WithParameter("weight", 0.2).WithParameter("pattern", "####")],
            LossType = new ComponentSpec("dapo"),
        };

        Assert.Equal(Make(), Make());
        Assert.Equal(Make().GetHashCode(), Make().GetHashCode());
        Assert.NotEqual(Make(), Make() with { Rewards = [new ComponentSpec("answer")] });
        Assert.NotEqual(Make(), Make() with { Rewards = [.. Make().Rewards.Select(r => r.WithParameter("weight", 0.3))] });
    }

    [Fact]
    public void Stop_strings_are_copied_so_the_callers_array_cannot_change_the_config()
    {
        string[] stops = ["a"];
        var config = new RunConfig { StopStrings = stops };

        stops[0] = "b";
        config.StopStrings[0] = "c";

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

    [Fact]
    public void The_training_identity_ignores_exactly_the_keys_documented_as_observation_or_memory_only()
    {
        foreach (var key in RunConfigKeys.All)
        {
            var (context, change) = ValidChange(key.Name);
            var baseline = RunConfigLoader.ApplyOverrides(new RunConfig(), context);
            var changed = RunConfigLoader.ApplyOverrides(baseline, [change]);

            var observationOnly = key.Description.Contains(RunConfig.ObservationOnly, StringComparison.Ordinal)
                || key.Description.Contains(RunConfig.MemoryOnly, StringComparison.Ordinal);
            Assert.True(observationOnly == baseline.TrainsLike(changed),
                $"{key.Name}: documented as observation or memory only = {observationOnly}, but the training identity {(baseline.TrainsLike(changed) ? "ignores" : "sees")} it");
        }
    }

    // An assignment that moves the key away from its value in the context, which itself stays valid (component names are
    // not checked here: policy_loss has a single built-in today).
    internal static (string[] Context, string Change) ValidChange(string key) => key switch
    {
        "task" => ([], "task.max_operand=9"),
        "lr_warmup_steps" => (["lr_schedule=warmup_cosine"], "lr_warmup_steps=5"),
        "temperature" or "top_p" or "epsilon" => ([], key + "=0.5"),
        "beta" or "learning_rate" or "weight_decay" or "max_grad_norm" or "warmup_sft_learning_rate" or "warmup_sft_target_accuracy" => ([], key + "=0.25"),
        "epsilon_high" => ([], "epsilon_high=0.3"),
        "kl_estimator" => ([], "kl_estimator=k1"),
        "policy_loss" => ([], "policy_loss=sapo"),
        "loss_type" => ([], "loss_type=dr_grpo"),
        "advantage_estimator" => ([], "advantage_estimator.scale=none"),
        "importance_sampling" => ([], "importance_sampling=sequence"),
        "old_logprobs" => ([], "old_logprobs=recompute"),
        "rollout_correction" => ([], "rollout_correction=tis"),
        "lr_schedule" => ([], "lr_schedule=constant"),
        "partial_rollouts" => (["max_staleness=1"], "partial_rollouts=true"),
        "mask_truncated" or "dynamic_sampling" or "group_by_length" or "gradient_checkpointing" or "sample_ledger" => ([], key + "=true"),
        "learner_compute_dtype" => ([], "learner_compute_dtype=bfloat16"),
        "stop_strings" => ([], "stop_strings=###"),
        "model_preset" => ([], "model_preset=small"),
        "model_path" => ([], "model_path=/models/qwen"),
        "system_prompt" => (["model_path=/models/qwen"], "system_prompt=Be brief."),
        "use_chat_template" or "enable_thinking" => ([], key + "=false"),
        "compute_dtype" => ([], "compute_dtype=bfloat16"),
        "rewards" => ([], "rewards[1]={\"name\": \"format\", \"weight\": 0.1}"),
        "weight_chunk_bytes" => ([], "weight_chunk_bytes=65536"),
        "lora_dropout" => ([], "lora_dropout=0.25"),
        "lora_target_modules" => ([], "lora_target_modules=q,v"),
        "lora_base_dtype" => ([], "lora_base_dtype=bfloat16"),
        "export_final_model" => ([], "export_final_model=float32"),
        _ => ([], key + "=7"),
    };
}
