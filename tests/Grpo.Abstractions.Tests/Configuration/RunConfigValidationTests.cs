using Grpo.Abstractions.Configuration;

namespace Grpo.Abstractions.Tests.Configuration;

public sealed class RunConfigValidationTests
{
    private static readonly RunConfig Defaults = new();

    private static readonly Dictionary<string, RunConfig> Cases = new()
    {
        ["steps 0"] = Defaults with { Steps = 0 },
        ["prompts_per_step 0"] = Defaults with { PromptsPerStep = 0 },
        ["group_size 1"] = Defaults with { GroupSize = 1 },
        ["max_staleness -1"] = Defaults with { MaxStaleness = -1 },
        ["temperature 0"] = Defaults with { Temperature = 0 },
        ["temperature NaN"] = Defaults with { Temperature = float.NaN },
        ["top_p 0"] = Defaults with { TopP = 0 },
        ["top_p 1.5"] = Defaults with { TopP = 1.5f },
        ["top_k -1"] = Defaults with { TopK = -1 },
        ["max_completion_tokens 0"] = Defaults with { MaxCompletionTokens = 0 },
        ["stop_strings empty entry"] = Defaults with { StopStrings = ["###", ""] },
        ["beta -0.1"] = Defaults with { Beta = -0.1f },
        ["kl_estimator undefined"] = Defaults with { KlEstimator = (KlEstimatorKind)7 },
        ["epsilon 0"] = Defaults with { Epsilon = 0 },
        ["epsilon 1"] = Defaults with { Epsilon = 1 },
        ["epsilon_high below epsilon"] = Defaults with { EpsilonHigh = 0.1f },
        ["loss_type undefined"] = Defaults with { LossType = (LossKind)9 },
        ["scale_rewards undefined"] = Defaults with { ScaleRewards = (ScaleRewardsKind)9 },
        ["importance_sampling undefined"] = Defaults with { ImportanceSampling = (ImportanceSamplingKind)9 },
        ["num_iterations 0"] = Defaults with { NumIterations = 0 },
        ["learning_rate 0"] = Defaults with { LearningRate = 0 },
        ["learning_rate infinite"] = Defaults with { LearningRate = double.PositiveInfinity },
        ["lr_schedule undefined"] = Defaults with { LrSchedule = (LearningRateScheduleKind)9 },
        ["lr_warmup_steps -1"] = Defaults with { LrWarmupSteps = -1 },
        ["lr_warmup_steps with constant"] = Defaults with { LrSchedule = LearningRateScheduleKind.Constant, LrWarmupSteps = 5 },
        ["lr_warmup_steps beyond steps"] = Defaults with { LrSchedule = LearningRateScheduleKind.WarmupCosine, LrWarmupSteps = 301 },
        ["weight_decay -1"] = Defaults with { WeightDecay = -1 },
        ["max_grad_norm 0"] = Defaults with { MaxGradNorm = 0 },
        ["minibatch_size 0"] = Defaults with { MinibatchSize = 0 },
        ["model_preset huge"] = Defaults with { ModelPreset = "huge" },
        ["model_preset case"] = Defaults with { ModelPreset = "Tiny" },
        ["model_path blank"] = Defaults with { ModelPath = " " },
        ["task unknown"] = Defaults with { Task = "squad" },
        ["jsonl without dataset_path"] = Defaults with { Task = "jsonl" },
        ["dataset_path blank"] = Defaults with { DatasetPath = "" },
        ["prompt_field empty"] = Defaults with { PromptField = "" },
        ["answer_field blank"] = Defaults with { AnswerField = "  " },
        ["arithmetic_max_operand 0"] = Defaults with { ArithmeticMaxOperand = 0 },
        ["held_out_size -1"] = Defaults with { HeldOutSize = -1 },
        ["warmup_sft_steps -1"] = Defaults with { WarmupSftSteps = -1 },
        ["warmup_sft_batch_size 0"] = Defaults with { WarmupSftBatchSize = 0 },
        ["warmup_sft_learning_rate -1"] = Defaults with { WarmupSftLearningRate = -1 },
        ["warmup_sft_target_accuracy 1.5"] = Defaults with { WarmupSftTargetAccuracy = 1.5 },
        ["eval_every -1"] = Defaults with { EvalEvery = -1 },
        ["checkpoint_every -1"] = Defaults with { CheckpointEvery = -1 },
        ["keep_checkpoints 0"] = Defaults with { KeepCheckpoints = 0 },
        ["log_samples_every -1"] = Defaults with { LogSamplesEvery = -1 },
        ["log_samples_prompts 0"] = Defaults with { LogSamplesPrompts = 0 },
        ["rollout_max_batch 0"] = Defaults with { RolloutMaxBatch = 0 },
        ["rollout_batch_wait_ms -1"] = Defaults with { RolloutBatchWaitMs = -1 },
        ["weight_chunk_bytes too small"] = Defaults with { WeightChunkBytes = 65535 },
        ["weight_chunk_bytes too large"] = Defaults with { WeightChunkBytes = 64 * 1024 * 1024 + 1 },
        ["completion_timeout_seconds 0"] = Defaults with { CompletionTimeoutSeconds = 0 },
    };

    [Theory]
    [InlineData("steps 0", "steps: must be at least 1, got 0")]
    [InlineData("prompts_per_step 0", "prompts_per_step: must be at least 1, got 0")]
    [InlineData("group_size 1", "group_size: must be at least 2, got 1")]
    [InlineData("max_staleness -1", "max_staleness: must be at least 0, got -1")]
    [InlineData("temperature 0", "temperature: must be greater than 0, got 0")]
    [InlineData("temperature NaN", "temperature: must be greater than 0, got NaN")]
    [InlineData("top_p 0", "top_p: must be in (0, 1], got 0")]
    [InlineData("top_p 1.5", "top_p: must be in (0, 1], got 1.5")]
    [InlineData("top_k -1", "top_k: must be at least 0, got -1")]
    [InlineData("max_completion_tokens 0", "max_completion_tokens: must be at least 1, got 0")]
    [InlineData("stop_strings empty entry", "stop_strings: must not contain an empty string")]
    [InlineData("beta -0.1", "beta: must be 0 or greater, got -0.1")]
    [InlineData("kl_estimator undefined", "kl_estimator: has no meaning for the value 7; must be one of k1, k2, k3")]
    [InlineData("epsilon 0", "epsilon: must be in (0, 1), got 0")]
    [InlineData("epsilon 1", "epsilon: must be in (0, 1), got 1")]
    [InlineData("epsilon_high below epsilon", "epsilon_high: must be at least epsilon (0.2) when set, got 0.1")]
    [InlineData("loss_type undefined", "loss_type: has no meaning for the value 9; must be one of grpo, bnpo, dapo, dr_grpo")]
    [InlineData("scale_rewards undefined", "scale_rewards: has no meaning for the value 9")]
    [InlineData("importance_sampling undefined", "importance_sampling: has no meaning for the value 9")]
    [InlineData("num_iterations 0", "num_iterations: must be at least 1, got 0")]
    [InlineData("learning_rate 0", "learning_rate: must be greater than 0, got 0")]
    [InlineData("learning_rate infinite", "learning_rate: must be greater than 0, got Infinity")]
    [InlineData("lr_schedule undefined", "lr_schedule: has no meaning for the value 9; must be one of constant, warmup_cosine")]
    [InlineData("lr_warmup_steps -1", "lr_warmup_steps: must be at least 0, got -1")]
    [InlineData("lr_warmup_steps with constant", "lr_warmup_steps: is 5 but lr_schedule is constant; warm-up needs lr_schedule warmup_cosine")]
    [InlineData("lr_warmup_steps beyond steps", "lr_warmup_steps: is 301, more than the 300 steps of the run")]
    [InlineData("weight_decay -1", "weight_decay: must be 0 or greater, got -1")]
    [InlineData("max_grad_norm 0", "max_grad_norm: must be greater than 0, got 0")]
    [InlineData("minibatch_size 0", "minibatch_size: must be at least 1, got 0")]
    [InlineData("model_preset huge", "model_preset: must be one of tiny, small, medium50m, got 'huge'")]
    [InlineData("model_preset case", "model_preset: must be one of tiny, small, medium50m, got 'Tiny'")]
    [InlineData("model_path blank", "model_path: must not be blank")]
    [InlineData("task unknown", "task: must be one of arithmetic, jsonl, gsm8k, math, got 'squad'")]
    [InlineData("jsonl without dataset_path", "dataset_path: is required when task is jsonl")]
    [InlineData("dataset_path blank", "dataset_path: must not be blank")]
    [InlineData("prompt_field empty", "prompt_field: must not be empty")]
    [InlineData("answer_field blank", "answer_field: must not be empty")]
    [InlineData("arithmetic_max_operand 0", "arithmetic_max_operand: must be at least 1, got 0")]
    [InlineData("held_out_size -1", "held_out_size: must be at least 0, got -1")]
    [InlineData("warmup_sft_steps -1", "warmup_sft_steps: must be at least 0, got -1")]
    [InlineData("warmup_sft_batch_size 0", "warmup_sft_batch_size: must be at least 1, got 0")]
    [InlineData("warmup_sft_learning_rate -1", "warmup_sft_learning_rate: must be greater than 0, got -1")]
    [InlineData("warmup_sft_target_accuracy 1.5", "warmup_sft_target_accuracy: must be in [0, 1], got 1.5")]
    [InlineData("eval_every -1", "eval_every: must be at least 0, got -1")]
    [InlineData("checkpoint_every -1", "checkpoint_every: must be at least 0, got -1")]
    [InlineData("keep_checkpoints 0", "keep_checkpoints: must be at least 1, got 0")]
    [InlineData("log_samples_every -1", "log_samples_every: must be at least 0, got -1")]
    [InlineData("log_samples_prompts 0", "log_samples_prompts: must be at least 1, got 0")]
    [InlineData("rollout_max_batch 0", "rollout_max_batch: must be at least 1, got 0")]
    [InlineData("rollout_batch_wait_ms -1", "rollout_batch_wait_ms: must be at least 0, got -1")]
    [InlineData("weight_chunk_bytes too small", "weight_chunk_bytes: must be between 65536 (64 KiB) and 67108864 (64 MiB), got 65535")]
    [InlineData("weight_chunk_bytes too large", "weight_chunk_bytes: must be between 65536 (64 KiB) and 67108864 (64 MiB), got 67108865")]
    [InlineData("completion_timeout_seconds 0", "completion_timeout_seconds: must be at least 1, got 0")]
    public void Each_rule_names_its_key(string caseName, string expectedProblem)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(Cases[caseName], "rules"));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith(expectedProblem, problem);
        Assert.Contains("rules", error.Message);
        Assert.Contains(expectedProblem, error.Message);
    }

    [Fact]
    public void Every_case_is_tested()
    {
        var tested = typeof(RunConfigValidationTests).GetMethod(nameof(Each_rule_names_its_key))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false)
            .Cast<InlineDataAttribute>()
            .Select(attribute => (string)attribute.GetData(null!).Single()[0])
            .ToHashSet();

        Assert.Equal(Cases.Keys.Order(), tested.Order());
    }

    [Fact]
    public void Boundary_values_are_accepted()
    {
        RunConfigLoader.Validate(Defaults with
        {
            GroupSize = 2,
            TopP = 1,
            TopK = 0,
            Beta = 0,
            EpsilonHigh = 0.2f,
            LrSchedule = LearningRateScheduleKind.WarmupCosine,
            LrWarmupSteps = 40,
            WeightChunkBytes = 64 * 1024,
            HeldOutSize = 0,
            WarmupSftSteps = 0,
            RolloutBatchWaitMs = 0,
        }, "bounds");
        RunConfigLoader.Validate(Defaults with { WeightChunkBytes = 64 * 1024 * 1024 }, "bounds");
        RunConfigLoader.Validate(Defaults with { Task = "jsonl", DatasetPath = "d.jsonl", ModelPreset = "medium50m" }, "bounds");
    }

    [Fact]
    public void All_violations_are_collected_into_one_exception()
    {
        var config = Defaults with { Steps = 0, TopP = 2, Task = "jsonl", ModelPreset = "x" };

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(config, "many"));

        Assert.Equal(["steps", "top_p", "model_preset", "dataset_path"], error.Problems.Select(problem => problem[..problem.IndexOf(':')]));
        Assert.StartsWith("Invalid run configuration in many (4 problems):", error.Message);
        foreach (var problem in error.Problems)
        {
            Assert.Contains("\n  " + problem, error.Message);
        }
    }

    [Fact]
    public void Parse_validates_too()
    {
        Assert.Throws<RunConfigException>(() => RunConfigLoader.Parse("""{ "steps": 0 }""", "x.json"));
    }
}
