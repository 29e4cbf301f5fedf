using Grpo.Abstractions.Configuration;
using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

public sealed class RunConfigValidationTests
{
    private static readonly RunConfig Defaults = new();

    private static readonly Dictionary<string, RunConfig> Cases = new()
    {
        ["steps 0"] = Defaults with { Steps = 0 },
        ["prompts_per_step 0"] = Defaults with { PromptsPerStep = 0 },
        ["group_size 1"] = Defaults with { GroupSize = 1 },
        ["max_staleness -1"] = Defaults with { MaxStaleness = -1 },
        ["partial_rollouts without max_staleness"] = Defaults with { PartialRollouts = true },
        ["temperature 0"] = Defaults with { Temperature = 0 },
        ["temperature NaN"] = Defaults with { Temperature = float.NaN },
        ["top_p 0"] = Defaults with { TopP = 0 },
        ["top_p 1.5"] = Defaults with { TopP = 1.5f },
        ["top_k -1"] = Defaults with { TopK = -1 },
        ["max_completion_tokens 0"] = Defaults with { MaxCompletionTokens = 0 },
        ["stop_strings empty entry"] = Defaults with { StopStrings = ["###", ""] },
        ["beta -0.1"] = Defaults with { Beta = -0.1f },
        ["kl_estimator unknown"] = Defaults with { KlEstimator = "k7" },
        ["epsilon 0"] = Defaults with { Epsilon = 0 },
        ["epsilon 1"] = Defaults with { Epsilon = 1 },
        ["epsilon_high below epsilon"] = Defaults with { EpsilonHigh = 0.1f },
        ["policy_loss unknown"] = Defaults with { PolicyLoss = "sapo2" },
        ["policy_loss blank"] = Defaults with { PolicyLoss = " " },
        ["loss_type unknown"] = Defaults with { LossType = "dr-grpo" },
        ["advantage_estimator scale unknown"] = Defaults with { AdvantageEstimator = new ComponentSpec("grpo").WithParameter("scale", "std") },
        ["importance_sampling unknown"] = Defaults with { ImportanceSampling = "Token" },
        ["num_iterations 0"] = Defaults with { NumIterations = 0 },
        ["learning_rate 0"] = Defaults with { LearningRate = 0 },
        ["learning_rate infinite"] = Defaults with { LearningRate = double.PositiveInfinity },
        ["lr_schedule unknown"] = Defaults with { LrSchedule = "cosine" },
        ["lr_warmup_steps -1"] = Defaults with { LrWarmupSteps = -1 },
        ["lr_warmup_steps with constant"] = Defaults with { LrSchedule = "constant", LrWarmupSteps = 5 },
        ["lr_warmup_steps beyond steps"] = Defaults with { LrSchedule = "warmup_cosine", LrWarmupSteps = 301 },
        ["weight_decay -1"] = Defaults with { WeightDecay = -1 },
        ["max_grad_norm 0"] = Defaults with { MaxGradNorm = 0 },
        ["minibatch_size 0"] = Defaults with { MinibatchSize = 0 },
        ["micro_batch_size -1"] = Defaults with { MicroBatchSize = -1 },
        ["learner_compute_dtype unknown"] = Defaults with { LearnerComputeDtype = "float16" },
        ["logprob_chunk_size -1"] = Defaults with { LogProbChunkSize = -1 },
        ["model_preset huge"] = Defaults with { ModelPreset = "huge" },
        ["model_preset case"] = Defaults with { ModelPreset = "Tiny" },
        ["model_path blank"] = Defaults with { ModelPath = " " },
        ["task unknown"] = Defaults with { Task = "squad" },
        ["jsonl without path"] = Defaults with { Task = "jsonl" },
        ["task path blank"] = Defaults with { Task = new ComponentSpec("jsonl").WithParameter("path", "") },
        ["task prompt_field empty"] = Defaults with { Task = new ComponentSpec("math").WithParameter("path", "m.jsonl").WithParameter("prompt_field", "") },
        ["task answer_field blank"] = Defaults with { Task = new ComponentSpec("gsm8k").WithParameter("path", "g.jsonl").WithParameter("answer_field", "  ") },
        ["task max_operand -1"] = Defaults with { Task = new ComponentSpec("arithmetic").WithParameter("max_operand", -1) },
        ["task unknown parameter"] = Defaults with { Task = new ComponentSpec("arithmetic").WithParameter("max_opernd", 9) },
        ["compute_dtype unknown"] = Defaults with { ComputeDtype = "float16" },
        ["rewards empty"] = Defaults with { Rewards = [] },
        ["rewards all weight 0"] = Defaults with { Rewards = [new ComponentSpec("answer").WithParameter("weight", 0), new ComponentSpec("length").WithParameter("weight", 0.0)] },
        ["rewards weight not a number"] = Defaults with { Rewards = [new ComponentSpec("answer"), new ComponentSpec("format").WithParameter("weight", "x")] },
        ["rewards unknown"] = Defaults with { Rewards = [new ComponentSpec("answer"), new ComponentSpec("lenght")] },
        ["rewards format pattern"] = Defaults with { Rewards = [new ComponentSpec("format").WithParameter("pattern", "(")] },
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
        ["sample_ledger_buffer_rows 0"] = Defaults with { SampleLedger = true, SampleLedgerBufferRows = 0 },
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
    [InlineData("kl_estimator unknown", "kl_estimator: 'k7' is not a registered KL estimator; did you mean 'k1'? (known: k1, k2, k3, low_var_kl)")]
    [InlineData("epsilon 0", "epsilon: must be in (0, 1), got 0")]
    [InlineData("epsilon 1", "epsilon: must be in (0, 1), got 1")]
    [InlineData("epsilon_high below epsilon", "epsilon_high: must be at least epsilon (0.2) when set, got 0.1")]
    [InlineData("policy_loss unknown", "policy_loss: 'sapo2' is not a registered policy loss; did you mean 'sapo'? (known: cispo, clip, sapo)")]
    [InlineData("policy_loss blank", "policy_loss: must name a component")]
    [InlineData("loss_type unknown", "loss_type: 'dr-grpo' is not a registered loss aggregation; did you mean 'dr_grpo'? (known: bnpo, dapo, dr_grpo, grpo)")]
    [InlineData("advantage_estimator scale unknown", "advantage_estimator.scale: must be one of group, batch, none, got 'std'")]
    [InlineData("importance_sampling unknown", "importance_sampling: must be one of token, sequence, got 'Token'")]
    [InlineData("num_iterations 0", "num_iterations: must be at least 1, got 0")]
    [InlineData("learning_rate 0", "learning_rate: must be greater than 0, got 0")]
    [InlineData("learning_rate infinite", "learning_rate: must be greater than 0, got Infinity")]
    [InlineData("lr_schedule unknown", "lr_schedule: must be one of constant, warmup_cosine, got 'cosine'")]
    [InlineData("lr_warmup_steps -1", "lr_warmup_steps: must be at least 0, got -1")]
    [InlineData("lr_warmup_steps with constant", "lr_warmup_steps: is 5 but lr_schedule is constant; warm-up needs lr_schedule warmup_cosine")]
    [InlineData("lr_warmup_steps beyond steps", "lr_warmup_steps: is 301, more than the 300 steps of the run")]
    [InlineData("weight_decay -1", "weight_decay: must be 0 or greater, got -1")]
    [InlineData("max_grad_norm 0", "max_grad_norm: must be greater than 0, got 0")]
    [InlineData("minibatch_size 0", "minibatch_size: must be at least 1, got 0")]
    [InlineData("micro_batch_size -1", "micro_batch_size: must be at least 0, got -1")]
    [InlineData("learner_compute_dtype unknown", "learner_compute_dtype: must be one of float32, bfloat16, got 'float16'")]
    [InlineData("logprob_chunk_size -1", "logprob_chunk_size: must be at least 0, got -1")]
    [InlineData("model_preset huge", "model_preset: must be one of tiny, small, medium50m, got 'huge'")]
    [InlineData("model_preset case", "model_preset: must be one of tiny, small, medium50m, got 'Tiny'")]
    [InlineData("model_path blank", "model_path: must not be blank")]
    [InlineData("task unknown", "task: 'squad' is not a registered task; known: arithmetic, csv, gsm8k, jsonl, math")]
    [InlineData("jsonl without path", "task.path: is required")]
    [InlineData("task path blank", "task.path: is empty; name the data file")]
    [InlineData("task prompt_field empty", "task.prompt_field: is empty")]
    [InlineData("task answer_field blank", "task.answer_field: is empty")]
    [InlineData("task max_operand -1", "task.max_operand: must be at least 0, got -1")]
    [InlineData("task unknown parameter", "task.max_opernd: is not a parameter of task 'arithmetic'; did you mean 'max_operand'? (it takes max_operand)")]
    [InlineData("compute_dtype unknown", "compute_dtype: must be one of float32, bfloat16, got 'float16'")]
    [InlineData("rewards empty", "rewards: must hold at least one reward")]
    [InlineData("rewards all weight 0", "rewards: must give at least one reward a weight other than 0")]
    [InlineData("rewards weight not a number", "rewards[1].weight: expected a finite number, got the string \"x\"")]
    [InlineData("rewards unknown", "rewards[1]: 'lenght' is not a registered reward; did you mean 'length'? (known: answer, exact_match, format, http, length, math_answer, numeric_answer)")]
    [InlineData("rewards format pattern", "rewards[0].pattern: Format reward pattern")]
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
    [InlineData("sample_ledger_buffer_rows 0", "sample_ledger_buffer_rows: must be at least 1, got 0")]
    [InlineData("rollout_max_batch 0", "rollout_max_batch: must be at least 1, got 0")]
    [InlineData("rollout_batch_wait_ms -1", "rollout_batch_wait_ms: must be at least 0, got -1")]
    [InlineData("weight_chunk_bytes too small", "weight_chunk_bytes: must be between 65536 (64 KiB) and 67108864 (64 MiB), got 65535")]
    [InlineData("weight_chunk_bytes too large", "weight_chunk_bytes: must be between 65536 (64 KiB) and 67108864 (64 MiB), got 67108865")]
    [InlineData("completion_timeout_seconds 0", "completion_timeout_seconds: must be at least 1, got 0")]
    [InlineData("partial_rollouts without max_staleness",
        "partial_rollouts: is true but max_staleness is 0; rows can only switch to a newer policy version mid-completion in async mode (max_staleness > 0)")]
    public void Each_rule_names_its_key(string caseName, string expectedProblem)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(Cases[caseName], "rules", RunComponentCatalog.Default));

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
            LrSchedule = "warmup_cosine",
            LrWarmupSteps = 40,
            WeightChunkBytes = 64 * 1024,
            HeldOutSize = 0,
            WarmupSftSteps = 0,
            RolloutBatchWaitMs = 0,
        }, "bounds", RunComponentCatalog.Default);
        RunConfigLoader.Validate(Defaults with { WeightChunkBytes = 64 * 1024 * 1024 }, "bounds", RunComponentCatalog.Default);
        RunConfigLoader.Validate(Defaults with { Task = new ComponentSpec("jsonl").WithParameter("path", "d.jsonl"), ModelPreset = "medium50m" }, "bounds", RunComponentCatalog.Default);
        RunConfigLoader.Validate(Defaults with { Rewards = [new ComponentSpec("answer").WithParameter("weight", 0), new ComponentSpec("length").WithParameter("weight", -0.5)] }, "bounds", RunComponentCatalog.Default);
        RunConfigLoader.Validate(Defaults with { Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 1) }, "bounds", RunComponentCatalog.Default);
    }

    [Fact]
    public void All_violations_are_collected_into_one_exception()
    {
        var config = Defaults with { Steps = 0, TopP = 2, Task = "jsonl", ModelPreset = "x" };

        var error = Assert.Throws<RunConfigException>(() => RunConfigLoader.Validate(config, "many", RunComponentCatalog.Default));

        Assert.Equal(["steps", "top_p", "model_preset", "task.path"], error.Problems.Select(problem => problem[..problem.IndexOf(':')]));
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
