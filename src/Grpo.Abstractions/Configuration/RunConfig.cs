using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Everything that defines one GRPO training run. Every grain of the run receives the same instance; it is
/// loaded and checked by <see cref="RunConfigLoader"/> before anything starts. The JSON key of each property
/// is its snake_case name, given explicitly so that renaming a property never silently changes the file format.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.RunConfig")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RunConfig
{
    // ---- run ----

    /// <summary>Seed of every random generator of the run (sampling, data order, initialisation).</summary>
    [Id(0), JsonPropertyName("seed")] public int Seed { get; init; }

    /// <summary>Number of GRPO steps (policy updates on a fresh batch).</summary>
    [Id(1), JsonPropertyName("steps")] public int Steps { get; init; } = 300;

    /// <summary>Prompts per step: the B of the design.</summary>
    [Id(2), JsonPropertyName("prompts_per_step")] public int PromptsPerStep { get; init; } = 64;

    /// <summary>Completions sampled per prompt: the G of the design.</summary>
    [Id(3), JsonPropertyName("group_size")] public int GroupSize { get; init; } = 8;

    /// <summary>How many policy versions a completion may lag behind the learner; 0 is the synchronous mode.</summary>
    [Id(4), JsonPropertyName("max_staleness")] public int MaxStaleness { get; init; }

    // ---- sampling ----

    /// <summary>Softmax temperature of the rollout sampler.</summary>
    [Id(5), JsonPropertyName("temperature")] public float Temperature { get; init; } = 1.0f;

    /// <summary>Nucleus sampling mass; 1 keeps every token.</summary>
    [Id(6), JsonPropertyName("top_p")] public float TopP { get; init; } = 1.0f;

    /// <summary>Keep only the k most likely tokens; 0 disables the filter.</summary>
    [Id(7), JsonPropertyName("top_k")] public int TopK { get; init; }

    /// <summary>Longest completion, in tokens.</summary>
    [Id(8), JsonPropertyName("max_completion_tokens")] public int MaxCompletionTokens { get; init; } = 8;

    /// <summary>Completions end at the first of these strings (besides the end-of-sequence token).</summary>
    [JsonPropertyName("stop_strings")]
    public string[] StopStrings
    {
        get => stopStrings.Items;
        init => stopStrings = new StringSequence(value);
    }

    // The synthesised record equality compares this field, so two configurations with equal stop strings are
    // equal even when they hold different array instances. Orleans serialises the field because its generated
    // code cannot call an init accessor that is not the compiler's own.
    [Id(9)] private readonly StringSequence stopStrings = new([]);

    // ---- objective ----

    /// <summary>Weight β of the KL penalty against the reference policy; 0 loads no reference model.</summary>
    [Id(10), JsonPropertyName("beta")] public float Beta { get; init; } = 0.04f;

    /// <summary>KL estimator.</summary>
    [Id(11), JsonPropertyName("kl_estimator")] public KlEstimatorKind KlEstimator { get; init; } = KlEstimatorKind.K3;

    /// <summary>Lower clipping range ε (and the upper one unless <see cref="EpsilonHigh"/> is set).</summary>
    [Id(12), JsonPropertyName("epsilon")] public float Epsilon { get; init; } = 0.2f;

    /// <summary>Upper clipping range (DAPO clip-higher); null means equal to <see cref="Epsilon"/>.</summary>
    [Id(13), JsonPropertyName("epsilon_high")] public float? EpsilonHigh { get; init; }

    /// <summary>How token losses are aggregated.</summary>
    [Id(14), JsonPropertyName("loss_type")] public LossKind LossType { get; init; } = LossKind.Grpo;

    /// <summary>What the centred rewards are divided by.</summary>
    [Id(15), JsonPropertyName("scale_rewards")] public ScaleRewardsKind ScaleRewards { get; init; } = ScaleRewardsKind.Group;

    /// <summary>Token-level or sequence-level importance ratio.</summary>
    [Id(16), JsonPropertyName("importance_sampling")] public ImportanceSamplingKind ImportanceSampling { get; init; } = ImportanceSamplingKind.Token;

    /// <summary>Optimisation passes μ over each batch.</summary>
    [Id(17), JsonPropertyName("num_iterations")] public int NumIterations { get; init; } = 1;

    /// <summary>Leave completions cut at max_completion_tokens out of the loss.</summary>
    [Id(18), JsonPropertyName("mask_truncated")] public bool MaskTruncated { get; init; }

    /// <summary>Replace groups whose rewards are all equal with fresh prompts.</summary>
    [Id(19), JsonPropertyName("dynamic_sampling")] public bool DynamicSampling { get; init; }

    // ---- optimizer ----

    /// <summary>Peak AdamW learning rate of the GRPO updates (the default suits the tiny demo model).</summary>
    [Id(20), JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 5e-4;

    /// <summary>Learning-rate schedule.</summary>
    [Id(21), JsonPropertyName("lr_schedule")] public LearningRateScheduleKind LrSchedule { get; init; } = LearningRateScheduleKind.WarmupCosine;

    /// <summary>Warm-up steps of the warmup_cosine schedule.</summary>
    [Id(22), JsonPropertyName("lr_warmup_steps")] public int LrWarmupSteps { get; init; }

    /// <summary>AdamW decoupled weight decay.</summary>
    [Id(23), JsonPropertyName("weight_decay")] public double WeightDecay { get; init; }

    /// <summary>Gradients are clipped to this global L2 norm.</summary>
    [Id(24), JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Completions per optimizer step within one pass over the batch.</summary>
    [Id(25), JsonPropertyName("minibatch_size")] public int MinibatchSize { get; init; } = 128;

    // ---- model and task ----

    /// <summary>Built-in model size: tiny, small or medium50m. Ignored when <see cref="ModelPath"/> is set.</summary>
    [Id(26), JsonPropertyName("model_preset")] public string ModelPreset { get; init; } = "tiny";

    /// <summary>A Hugging Face model directory; when set it wins over <see cref="ModelPreset"/>.</summary>
    [Id(27), JsonPropertyName("model_path")] public string? ModelPath { get; init; }

    /// <summary>Prompt source and reward: arithmetic or jsonl.</summary>
    [Id(28), JsonPropertyName("task")] public string Task { get; init; } = "arithmetic";

    /// <summary>JSON-lines file of the jsonl task.</summary>
    [Id(29), JsonPropertyName("dataset_path")] public string? DatasetPath { get; init; }

    /// <summary>Field of a jsonl record that holds the prompt.</summary>
    [Id(30), JsonPropertyName("prompt_field")] public string PromptField { get; init; } = "question";

    /// <summary>Field of a jsonl record that holds the reference answer.</summary>
    [Id(31), JsonPropertyName("answer_field")] public string AnswerField { get; init; } = "answer";

    /// <summary>System message of every prompt sent through the model directory's chat template; null sends none.</summary>
    [Id(60), JsonPropertyName("system_prompt")] public string? SystemPrompt { get; init; }

    /// <summary>
    /// Wrap prompts of a model directory in its chat template (ChatML of the Qwen family or the Llama 3 header
    /// format, recognised from tokenizer_config.json); false sends the prompt text as it is, which base models and
    /// other template formats need.
    /// </summary>
    [Id(61), JsonPropertyName("use_chat_template")] public bool UseChatTemplate { get; init; } = true;

    /// <summary>Qwen3 templates only: false appends the empty think block so the model answers without reasoning first.</summary>
    [Id(62), JsonPropertyName("enable_thinking")] public bool EnableThinking { get; init; } = true;

    /// <summary>Number format of rollout generation; weights stay float32 on the learner whatever this says.</summary>
    [Id(63), JsonPropertyName("compute_dtype")] public ComputeDtypeKind ComputeDtype { get; init; } = ComputeDtypeKind.Float32;

    /// <summary>
    /// Weight of each reward component: answer (correctness for the task), format (the task's answer marker is
    /// present, or <see cref="FormatPattern"/>), length (soft penalty over the last quarter of max_completion_tokens).
    /// </summary>
    [JsonPropertyName("reward_weights")]
    public IReadOnlyDictionary<string, double> RewardWeights
    {
        get => rewardWeights.AsDictionary();
        init => rewardWeights = new WeightTable(value);
    }

    // A field with value equality for the same reason as stopStrings.
    [Id(64)] private readonly WeightTable rewardWeights = WeightTable.AnswerOnly;

    /// <summary>Regular expression the format reward looks for; null uses the task's own answer marker.</summary>
    [Id(65), JsonPropertyName("format_pattern")] public string? FormatPattern { get; init; }

    /// <summary>
    /// With dynamic_sampling, how many extra rounds of fresh prompts may replace groups whose rewards were all equal
    /// before the step trains on the informative groups it has.
    /// </summary>
    [Id(66), JsonPropertyName("dynamic_sampling_max_rounds")] public int DynamicSamplingMaxRounds { get; init; } = 3;

    /// <summary>Largest operand of the arithmetic task.</summary>
    [Id(32), JsonPropertyName("arithmetic_max_operand")] public int ArithmeticMaxOperand { get; init; } = 99;

    /// <summary>Prompts kept out of training for evaluation.</summary>
    [Id(33), JsonPropertyName("held_out_size")] public int HeldOutSize { get; init; } = 200;

    // ---- supervised warm-up before GRPO ----

    /// <summary>Supervised steps before GRPO starts; 0 skips the warm-up.</summary>
    [Id(34), JsonPropertyName("warmup_sft_steps")] public int WarmupSftSteps { get; init; } = 1500;

    /// <summary>Examples per supervised warm-up step.</summary>
    [Id(35), JsonPropertyName("warmup_sft_batch_size")] public int WarmupSftBatchSize { get; init; } = 64;

    /// <summary>Learning rate of the supervised warm-up.</summary>
    [Id(36), JsonPropertyName("warmup_sft_learning_rate")] public double WarmupSftLearningRate { get; init; } = 3e-3;

    /// <summary>
    /// The warm-up stops early once greedy accuracy on a probe of training prompts has reached this fraction on two checks
    /// in a row (one every 25 steps), so GRPO starts from a comparable policy whatever the seed; 0 runs every warm-up step.
    /// </summary>
    [Id(44), JsonPropertyName("warmup_sft_target_accuracy")] public double WarmupSftTargetAccuracy { get; init; } = 0.35;

    // ---- evaluation and output ----

    /// <summary>Evaluate on the held-out set every n steps (besides before and after training); 0 only before and after.</summary>
    [Id(37), JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 50;

    /// <summary>Write a checkpoint every n steps; 0 never does.</summary>
    [Id(38), JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; }

    /// <summary>Newest checkpoints kept on disk.</summary>
    [Id(39), JsonPropertyName("keep_checkpoints")] public int KeepCheckpoints { get; init; } = 3;

    /// <summary>Keep a few prompts with their completions, rewards and advantages every n steps (samples.jsonl); 0 never does.</summary>
    [Id(50), JsonPropertyName("log_samples_every")] public int LogSamplesEvery { get; init; } = 50;

    /// <summary>How many prompts (the first ones of the step) log_samples_every keeps.</summary>
    [Id(51), JsonPropertyName("log_samples_prompts")] public int LogSamplesPrompts { get; init; } = 2;

    // ---- rollout engine ----

    /// <summary>
    /// Most sequences one batched generation call runs together; the default holds a whole default step (64 prompts x 8)
    /// in one batch.
    /// </summary>
    [Id(40), JsonPropertyName("rollout_max_batch")] public int RolloutMaxBatch { get; init; } = 512;

    /// <summary>
    /// The pause after which the rollout engine stops waiting for more requests and starts a batch (it waits at most 20
    /// times as long in all).
    /// </summary>
    [Id(41), JsonPropertyName("rollout_batch_wait_ms")] public int RolloutBatchWaitMs { get; init; } = 5;

    /// <summary>Size of one chunk of published weights.</summary>
    [Id(42), JsonPropertyName("weight_chunk_bytes")] public int WeightChunkBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A completion request that takes longer than this is abandoned and retried.</summary>
    [Id(43), JsonPropertyName("completion_timeout_seconds")] public int CompletionTimeoutSeconds { get; init; } = 120;

    /// <summary>Named weights kept sorted by name, with value equality, so the record's equality covers them.</summary>
    [GenerateSerializer, Immutable, Alias("grpo.RunConfig.WeightTable")]
    internal readonly struct WeightTable : IEquatable<WeightTable>
    {
        public static readonly WeightTable AnswerOnly = new(new Dictionary<string, double> { ["answer"] = 1.0 });

        [Id(0)] private readonly string[]? names;
        [Id(1)] private readonly double[]? weights;

        public WeightTable(IReadOnlyDictionary<string, double>? table)
        {
            var sorted = (table ?? new Dictionary<string, double>()).OrderBy(pair => pair.Key, StringComparer.Ordinal).ToArray();
            names = [.. sorted.Select(pair => pair.Key)];
            weights = [.. sorted.Select(pair => pair.Value)];
        }

        public IReadOnlyDictionary<string, double> AsDictionary()
        {
            var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
            for (var i = 0; i < (names?.Length ?? 0); i++)
            {
                result[names![i]] = weights![i];
            }

            return result;
        }

        public bool Equals(WeightTable other) =>
            (names ?? []).AsSpan().SequenceEqual(other.names ?? []) && (weights ?? []).AsSpan().SequenceEqual(other.weights ?? []);

        public override bool Equals(object? obj) => obj is WeightTable other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            for (var i = 0; i < (names?.Length ?? 0); i++)
            {
                hash.Add(names![i], StringComparer.Ordinal);
                hash.Add(weights![i]);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>An immutable list of strings with value equality, so the record's equality covers the stop strings.</summary>
    [GenerateSerializer, Immutable, Alias("grpo.RunConfig.StringSequence")]
    internal readonly struct StringSequence(string[]? items) : IEquatable<StringSequence>
    {
        // A copy, because the caller still holds the array it passed in and the record is declared immutable.
        [Id(0)] private readonly string[]? items = items is null ? null : [.. items];

        public string[] Items => items ?? [];

        public bool Equals(StringSequence other) => Items.AsSpan().SequenceEqual(other.Items);

        public override bool Equals(object? obj) => obj is StringSequence other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in Items)
            {
                hash.Add(item, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
