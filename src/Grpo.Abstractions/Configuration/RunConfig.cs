using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Everything that defines one GRPO training run. Every grain of the run receives the same instance; the run
/// configuration loader reads and checks it before anything starts. The JSON key of each property is given explicitly
/// so that renaming a property never silently changes the file format, and its [Description] is the key's one
/// documentation (docs/configuration.md is generated from it). Keys that select components (task, rewards, the
/// objective's parts) hold a <see cref="ComponentSpec"/>: a registered name and its parameters.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.RunConfig")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RunConfig
{
    /// <summary>The sentence that marks a key whose value does not change what a checkpoint means.</summary>
    public const string ObservationOnly = "Observation only: a checkpoint resumes whatever its value.";

    public const string MemoryOnly = "It changes memory, not the mathematics (results agree up to float rounding), so a checkpoint resumes whatever its value: resume an out-of-memory run with a smaller value.";

    // ---- run ----

    [Description("Seed of every random generator of the run (sampling, data order, initialisation).")]
    [Id(0), JsonPropertyName("seed")] public int Seed { get; init; }

    [Description("Number of GRPO steps (policy updates on a fresh batch).")]
    [Id(1), JsonPropertyName("steps")] public int Steps { get; init; } = 300;

    [Description("Prompts per step (B).")]
    [Id(2), JsonPropertyName("prompts_per_step")] public int PromptsPerStep { get; init; } = 64;

    [Description("Completions sampled per prompt (G); at least 2, since a group of one has no group-relative advantage.")]
    [Id(3), JsonPropertyName("group_size")] public int GroupSize { get; init; } = 8;

    [Description("How many policy versions a completion may lag behind the learner; 0 is the synchronous mode.")]
    [Id(4), JsonPropertyName("max_staleness")] public int MaxStaleness { get; init; }

    // ---- sampling ----

    [Description("Softmax temperature of the rollout sampler.")]
    [Id(5), JsonPropertyName("temperature")] public float Temperature { get; init; } = 1.0f;

    [Description("Nucleus sampling mass; 1 keeps every token.")]
    [Id(6), JsonPropertyName("top_p")] public float TopP { get; init; } = 1.0f;

    [Description("Keep only the k most likely tokens; 0 disables the filter.")]
    [Id(7), JsonPropertyName("top_k")] public int TopK { get; init; }

    [Description("Longest completion, in tokens.")]
    [Id(8), JsonPropertyName("max_completion_tokens")] public int MaxCompletionTokens { get; init; } = 8;

    [Description("Completions end at the first of these strings (besides the end-of-sequence token); the reward sees the text before it. Comma-separated in --set, with \\, \\n \\t \\\\ escapes.")]
    [JsonPropertyName("stop_strings")]
    public string[] StopStrings
    {
        get => stopStrings.Items;
        init => stopStrings = new ValueSequence<string>(value);
    }

    // The synthesised record equality compares this field, so two configurations with equal stop strings are equal
    // even when they hold different array instances. Orleans serialises the field because its generated code cannot
    // call an init accessor that is not the compiler's own.
    [Id(9)] private readonly ValueSequence<string> stopStrings = new([]);

    // ---- objective ----

    [Description("Weight β of the KL penalty against the reference policy; 0 loads no reference model.")]
    [Id(10), JsonPropertyName("beta")] public float Beta { get; init; } = 0.04f;

    [Description("Estimator of the per-token KL divergence against the reference policy: k1 (log ratio), k2 (half its square) or k3 (Schulman's unbiased, always positive estimator).")]
    [ComponentKind("KL estimator")]
    [Id(70), JsonPropertyName("kl_estimator")] public ComponentSpec KlEstimator { get; init; } = "k3";

    [Description("Lower clipping range ε of the importance ratio (and the upper one unless epsilon_high is set).")]
    [Id(12), JsonPropertyName("epsilon")] public float Epsilon { get; init; } = 0.2f;

    [Description("Upper clipping range (DAPO clip-higher); null means equal to epsilon.")]
    [Id(13), JsonPropertyName("epsilon_high")] public float? EpsilonHigh { get; init; }

    [Description("The per-token policy objective: clip is PPO's clipped surrogate with epsilon and epsilon_high.")]
    [ComponentKind("policy loss")]
    [Id(71), JsonPropertyName("policy_loss")] public ComponentSpec PolicyLoss { get; init; } = "clip";

    [Description("How token losses are aggregated into the batch loss: grpo (mean over completions of each completion's mean), bnpo and dapo (sum over all tokens / tokens in the batch), dr_grpo (sum / (completions × max_completion_tokens), free of length bias).")]
    [ComponentKind("loss aggregation")]
    [Id(72), JsonPropertyName("loss_type")] public ComponentSpec LossType { get; init; } = "grpo";

    [Description("How rewards become advantages: grpo centres each group's rewards and divides by a standard deviation chosen by its parameter scale: group (default), batch (the whole batch's) or none (Dr. GRPO).")]
    [ComponentKind("advantage estimator")]
    [Id(73), JsonPropertyName("advantage_estimator")] public ComponentSpec AdvantageEstimator { get; init; } = "grpo";

    [Description("Importance ratio per token (token) or one per completion from its mean log-ratio (sequence, GSPO).")]
    [Id(74), JsonPropertyName("importance_sampling")] public string ImportanceSampling { get; init; } = "token";

    [Description("Where the importance ratio's π_old comes from: rollout (the log-probs the rollout engine recorded while sampling) or recompute (the learner's own, computed with its current weights before the step's first update, without gradient, as veRL's recompute_log_prob; one more forward pass per step). With compute_dtype bfloat16 or max_staleness > 0 the two differ: recompute makes the ratio compare the learner with itself and leaves the difference to rollout_correction.")]
    [Id(130), JsonPropertyName("old_logprobs")] public string OldLogProbs { get; init; } = "rollout";

    [Description("Correction of the policy gradient for the mismatch between the rollout's log-probs and the learner's, ρ = π_learner_old / π_rollout per token, or with parameter level sequence the product over the completion: none; tis multiplies each token's loss by min(ρ, cap) (truncated importance sampling, veRL's rollout_is; cap default 2); mis by ρ where lower ≤ ρ ≤ cap and by 0 elsewhere (masked importance sampling, TRL's vllm_importance_sampling_mode *_mask; lower default 1/cap). The weight carries no gradient. Without old_logprobs recompute, π_learner_old is the learner's log-probs from its first update on the completion in the step. The step metrics rolloutLogProbDelta, rolloutKl and rolloutCorrectedFraction report the mismatch whatever this says.")]
    [ComponentKind("rollout correction")]
    [Id(131), JsonPropertyName("rollout_correction")] public ComponentSpec RolloutCorrection { get; init; } = "none";

    [Description("Optimisation passes μ over each batch.")]
    [Id(17), JsonPropertyName("num_iterations")] public int NumIterations { get; init; } = 1;

    [Description("Leave completions cut at max_completion_tokens out of the loss.")]
    [Id(18), JsonPropertyName("mask_truncated")] public bool MaskTruncated { get; init; }

    [Description("Replace groups whose rewards are all equal with fresh prompts (they would train on zero advantages).")]
    [Id(19), JsonPropertyName("dynamic_sampling")] public bool DynamicSampling { get; init; }

    // ---- optimizer ----

    [Description("Peak AdamW learning rate of the GRPO updates (the default suits the tiny demo model).")]
    [Id(20), JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 5e-4;

    [Description("Learning-rate schedule: constant or warmup_cosine (linear warm-up over lr_warmup_steps, then cosine decay to a tenth).")]
    [Id(75), JsonPropertyName("lr_schedule")] public string LrSchedule { get; init; } = "warmup_cosine";

    [Description("Warm-up steps of the warmup_cosine schedule.")]
    [Id(22), JsonPropertyName("lr_warmup_steps")] public int LrWarmupSteps { get; init; }

    [Description("AdamW decoupled weight decay.")]
    [Id(23), JsonPropertyName("weight_decay")] public double WeightDecay { get; init; }

    [Description("Gradients are clipped to this global L2 norm.")]
    [Id(24), JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;

    [Description("Completions per optimizer step within one pass over the batch.")]
    [Id(25), JsonPropertyName("minibatch_size")] public int MinibatchSize { get; init; } = 128;

    // ---- learner memory and precision ----

    [Description("Completions per forward/backward pass of the learner (gradient accumulation): each minibatch is processed in micro-batches of this size, the last possibly smaller, and still makes one optimizer update whose loss is normalised over the whole minibatch for every loss_type. 0 processes each minibatch in one pass. " + MemoryOnly)]
    [Id(90), JsonPropertyName("micro_batch_size")] public int MicroBatchSize { get; init; }

    [Description("Sort each step's completions by total length (prompt + completion) before cutting minibatches and micro-batches, so padding is small (the step metric padding_fraction shows it). Off by default: it changes which completions share an update, hence the run's numbers.")]
    [Id(91), JsonPropertyName("group_by_length")] public bool GroupByLength { get; init; }

    [Description("Number format of the learner's forward and backward passes: float32, or bfloat16 on a working copy of the policy refreshed from float32 master weights after every update (AdamW state stays float32; log-softmax runs in float32). bfloat16 log-probs differ from the float32 ones the rollouts record, so the on-policy ratio at μ = 1 is no longer exactly 1: measured max |ratio − 1| of 0.0035 to 0.0052 on a freshly initialised tiny preset (14 tokens, 3 seeds); a trained model with peaked logits may stray further. It halves activation memory but on a CPU runs slower than float32 (about 4× on the tiny preset, 3 runs each).")]
    [Id(92), JsonPropertyName("learner_compute_dtype")] public string LearnerComputeDtype { get; init; } = "float32";

    [Description("Tokens per chunk of the vocabulary projection when the learner computes log-probs, so the [tokens, vocabulary] logits are never all in memory at once; 0 projects all tokens at once. " + MemoryOnly)]
    [Id(93), JsonPropertyName("logprob_chunk_size")] public int LogProbChunkSize { get; init; }

    [Description("Recompute each decoder layer's activations during the learner's backward pass instead of keeping them from the forward pass: less memory, about one more forward pass of time. " + MemoryOnly)]
    [Id(94), JsonPropertyName("gradient_checkpointing")] public bool GradientCheckpointing { get; init; }

    // ---- model and task ----

    [Description("Built-in model size: tiny, small or medium50m. Ignored when model_path is set.")]
    [Id(26), JsonPropertyName("model_preset")] public string ModelPreset { get; init; } = "tiny";

    [Description("A Hugging Face model directory (Qwen2, Qwen3, Llama); when set it wins over model_preset.")]
    [Id(27), JsonPropertyName("model_path")] public string? ModelPath { get; init; }

    [Description("Where prompts and reference answers come from. arithmetic generates arithmetic problems on operands up to parameter max_operand (default 99). gsm8k, math and jsonl read the JSON-lines file of parameter path (required), with fields prompt_field (default question) and answer_field (default answer); gsm8k answers end in '#### N', math and jsonl are scored on the last \\boxed{}.")]
    [ComponentKind("task")]
    [Id(76), JsonPropertyName("task")] public ComponentSpec Task { get; init; } = "arithmetic";

    [Description("System message of every prompt sent through the model directory's chat template; null sends none.")]
    [Id(60), JsonPropertyName("system_prompt")] public string? SystemPrompt { get; init; }

    [Description("Wrap prompts of a model directory in its chat template (ChatML of the Qwen family or the Llama 3 header format, recognised from tokenizer_config.json); false sends the prompt text as it is, which base models and other template formats need.")]
    [Id(61), JsonPropertyName("use_chat_template")] public bool UseChatTemplate { get; init; } = true;

    [Description("Qwen3 templates only: false appends the empty think block so the model answers without reasoning first.")]
    [Id(62), JsonPropertyName("enable_thinking")] public bool EnableThinking { get; init; } = true;

    [Description("Number format of rollout generation: float32 or bfloat16; weights stay float32 on the learner whatever this says. With bfloat16 the learner publishes (and checksums) a bfloat16 image, rounded as a bfloat16 engine would round a float32 one on load, so each pull moves half the bytes; float32 runs publish float32.")]
    [Id(77), JsonPropertyName("compute_dtype")] public string ComputeDtype { get; init; } = "float32";

    [Description("The reward of a completion: the sum of these components, each times its parameter weight (default 1; at least one must be other than 0). answer is the task's correctness check; format checks the task's answer marker is present, or the regular expression of its parameter pattern; length is DAPO's soft penalty over the last quarter of max_completion_tokens.")]
    [ComponentKind("reward")]
    [JsonPropertyName("rewards")]
    public IReadOnlyList<ComponentSpec> Rewards
    {
        get => rewards.View;
        init => rewards = new ValueSequence<ComponentSpec>(value);
    }

    // A field with value equality for the same reason as stopStrings.
    [Id(78)] private readonly ValueSequence<ComponentSpec> rewards = new([new ComponentSpec("answer").WithParameter("weight", 1.0)]);

    [Description("With dynamic_sampling, how many extra rounds of fresh prompts may replace groups whose rewards were all equal before the step trains on the informative groups it has.")]
    [Id(66), JsonPropertyName("dynamic_sampling_max_rounds")] public int DynamicSamplingMaxRounds { get; init; } = 3;

    [Description("Prompts kept out of training for evaluation (the first ones after a seeded shuffle for dataset tasks).")]
    [Id(33), JsonPropertyName("held_out_size")] public int HeldOutSize { get; init; } = 200;

    // ---- LoRA: low-rank adapters instead of full fine-tuning ----

    [Description("Rank of LoRA adapters on the decoder projections; 0 trains every weight. With LoRA the base weights stay those of model_path (or of the run's seed) on every silo and only the adapters train (the warm-up included), are published and are checkpointed, in PEFT's format; the KL reference is the model with its adapters switched off.")]
    [Id(120), JsonPropertyName("lora_rank")] public int LoraRank { get; init; }

    [Description("Adapters are scaled by lora_alpha / lora_rank. The default 16 is twice PEFT's default of 8, so rank 8 adapters start at scale 2 as in common GRPO recipes.")]
    [Id(121), JsonPropertyName("lora_alpha")] public double LoraAlpha { get; init; } = 16;

    [Description("Dropout on the adapters' input during training, in [0, 1).")]
    [Id(122), JsonPropertyName("lora_dropout")] public double LoraDropout { get; init; }

    [Description("Projections that get adapters: any of q, k, v, o, gate, up, down (or their Hugging Face names q_proj ... down_proj).")]
    [JsonPropertyName("lora_target_modules")]
    public string[] LoraTargetModules
    {
        get => loraTargetModules.Items;
        init => loraTargetModules = new ValueSequence<string>(value);
    }

    // A field with value equality for the same reason as stopStrings.
    [Id(123)] private readonly ValueSequence<string> loraTargetModules = new(["q", "k", "v", "o", "gate", "up", "down"]);

    [Description("Number format the frozen base projection weights are held in with LoRA: float32, or bfloat16 to halve their memory (computation stays float32; the weight is upcast per use).")]
    [Id(124), JsonPropertyName("lora_base_dtype")] public string LoraBaseDtype { get; init; } = "float32";

    // ---- supervised warm-up before GRPO ----

    [Description("Supervised steps before GRPO starts on a built-in model; 0 skips the warm-up. Ignored with model_path.")]
    [Id(34), JsonPropertyName("warmup_sft_steps")] public int WarmupSftSteps { get; init; } = 1500;

    [Description("Examples per supervised warm-up step.")]
    [Id(35), JsonPropertyName("warmup_sft_batch_size")] public int WarmupSftBatchSize { get; init; } = 64;

    [Description("Learning rate of the supervised warm-up.")]
    [Id(36), JsonPropertyName("warmup_sft_learning_rate")] public double WarmupSftLearningRate { get; init; } = 3e-3;

    [Description("The warm-up stops early once greedy accuracy on a probe of training prompts has reached this fraction on two checks in a row (one every 25 steps), so GRPO starts from a comparable policy whatever the seed; 0 runs every warm-up step.")]
    [Id(44), JsonPropertyName("warmup_sft_target_accuracy")] public double WarmupSftTargetAccuracy { get; init; } = 0.35;

    // ---- evaluation and output ----

    [Description("Evaluate on the held-out set every n steps (besides before and after training); 0 only before and after. " + ObservationOnly)]
    [Id(37), JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 50;

    [Description("Write a checkpoint every n steps; 0 never does. " + ObservationOnly)]
    [Id(38), JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; }

    [Description("Newest checkpoints kept on disk. " + ObservationOnly)]
    [Id(39), JsonPropertyName("keep_checkpoints")] public int KeepCheckpoints { get; init; } = 3;

    [Description("At the end of the run, write the trained policy as a Hugging Face model directory (config.json, safetensors in this number format, the model directory's tokenizer files) to final-model/ in the run's checkpoint folder, LoRA adapters merged into the base: none, bfloat16 or float32. The last step is checkpointed first if it was not already. `grpo export` does the same for any checkpoint. " + ObservationOnly)]
    [Id(95), JsonPropertyName("export_final_model")] public string ExportFinalModel { get; init; } = "none";

    [Description("Keep a few prompts with their completions, rewards and advantages every n steps (samples.jsonl); 0 never does. " + ObservationOnly)]
    [Id(50), JsonPropertyName("log_samples_every")] public int LogSamplesEvery { get; init; } = 50;

    [Description("How many prompts (the first ones of the step) log_samples_every keeps. " + ObservationOnly)]
    [Id(51), JsonPropertyName("log_samples_prompts")] public int LogSamplesPrompts { get; init; } = 2;

    [Description("Record every trained completion (run, step, prompt, sample, policy version, lineage, weight image SHA-256, silo, reward and its components, advantage, token count, finish reason, text) in the cluster database's grpo_sample_ledger table, written in batches off the training path; `grpo samples` reads it. Needs silos started with a cluster database. " + ObservationOnly)]
    [Id(160), JsonPropertyName("sample_ledger")] public bool SampleLedger { get; init; }

    [Description("Most ledger rows the learner's silo holds while the database does not answer; beyond it the oldest steps' rows are dropped, counted (ledgerDroppedRows in metrics.jsonl) and logged. " + ObservationOnly)]
    [Id(161), JsonPropertyName("sample_ledger_buffer_rows")] public int SampleLedgerBufferRows { get; init; } = 100_000;

    // ---- rollout engine ----

    [Description("Slots of the rollout engine's continuous batcher: the most sequences decoding at once on a silo (a finished one frees its slot for a waiting request); the default holds a whole default step (64 prompts × 8) at once.")]
    [Id(40), JsonPropertyName("rollout_max_batch")] public int RolloutMaxBatch { get; init; } = 512;

    [Description("Async mode only (needs max_staleness > 0): when a silo loads a newer policy version while rows are still decoding, true lets those rows go on with the new weights from the next token (partial rollouts: their keys and values are recomputed with the new weights, and each token is tagged with the version that sampled it); false (default) finishes them on the weights they started with and lets the new version wait until they end. A completion's staleness counts from its oldest token. Its behaviour log-probs then come from more than one policy, so the importance ratio of each token is against the version that produced it: token-level rollout_correction is the consistent choice; importance_sampling sequence and rollout_correction level sequence multiply ratios of several versions. The step metric tokensFromOlderVersionFraction shows how much of it happened.")]
    [Id(140), JsonPropertyName("partial_rollouts")] public bool PartialRollouts { get; init; }

    [Description("The pause after which an idle rollout engine stops waiting for more requests and starts decoding (it waits at most 20 times as long in all); it starts at once when every waiting prompt has all group_size of its samples, since a group that comes later joins the decoding rows between iterations.")]
    [Id(41), JsonPropertyName("rollout_batch_wait_ms")] public int RolloutBatchWaitMs { get; init; } = 5;

    [Description("Size of one chunk of published weights, from 64 KiB to 64 MiB. " + ObservationOnly)]
    [Id(42), JsonPropertyName("weight_chunk_bytes")] public int WeightChunkBytes { get; init; } = 4 * 1024 * 1024;

    [Description("A completion request that takes longer than this is abandoned and retried. " + ObservationOnly)]
    [Id(43), JsonPropertyName("completion_timeout_seconds")] public int CompletionTimeoutSeconds { get; init; } = 120;

    /// <summary>
    /// This configuration with every observation-only key (how the run is watched, checkpointed or transported) at its
    /// default: two configurations train the same policy exactly when their training identities are equal, and a
    /// checkpoint's fingerprint is taken of it, so a run may resume with another checkpoint or evaluation interval.
    /// </summary>
    public RunConfig TrainingIdentity()
    {
        var defaults = new RunConfig();
        return this with
        {
            EvalEvery = defaults.EvalEvery,
            CheckpointEvery = defaults.CheckpointEvery,
            KeepCheckpoints = defaults.KeepCheckpoints,
            ExportFinalModel = defaults.ExportFinalModel,
            LogSamplesEvery = defaults.LogSamplesEvery,
            LogSamplesPrompts = defaults.LogSamplesPrompts,
            SampleLedger = defaults.SampleLedger,
            SampleLedgerBufferRows = defaults.SampleLedgerBufferRows,
            WeightChunkBytes = defaults.WeightChunkBytes,
            CompletionTimeoutSeconds = defaults.CompletionTimeoutSeconds,
            MicroBatchSize = defaults.MicroBatchSize,
            LogProbChunkSize = defaults.LogProbChunkSize,
            GradientCheckpointing = defaults.GradientCheckpointing,
        };
    }

    /// <summary>True when <paramref name="other"/> trains the same policy, whatever its observation-only keys.</summary>
    public bool TrainsLike(RunConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return TrainingIdentity() == other.TrainingIdentity();
    }
}
