using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
using Grpo.Grains.Runs.Components;
using Microsoft.ML.Tokenizers;

namespace Grpo.Grains.Runs;

/// <summary>
/// Everything a silo derives from a run's configuration: tokenizer, prompt codec, task data, reward and model
/// shape. Every silo builds the same assets from the same config, so prompts, token ids and weight layouts agree
/// across the cluster without shipping them around. A model directory (model_path) is read for its config and
/// tokenizer only; its weights are the learner's to load and reach rollout silos through weight publication.
/// </summary>
public sealed class RunAssets
{
    RunAssets(RunConfig config, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model, IRewardFunction reward,
        IRewardFunction answerReward, IReadOnlyList<TaskExample> train, IReadOnlyList<TaskExample> heldOut, Func<long, int, IReadOnlyList<TaskExample>> batch)
    {
        Config = config;
        Tokenizer = tokenizer;
        Codec = codec;
        PadTokenId = padTokenId;
        Model = model;
        Reward = reward;
        AnswerReward = answerReward;
        Train = train;
        HeldOut = heldOut;
        this.batch = batch;
    }

    readonly Func<long, int, IReadOnlyList<TaskExample>> batch;

    public RunConfig Config { get; }
    public Tokenizer Tokenizer { get; }
    public PromptCodec Codec { get; }
    public int PadTokenId { get; }
    public ModelConfig Model { get; }
    /// <summary>The training reward: the weighted sum of the rewards entries (answer, format, length).</summary>
    public IRewardFunction Reward { get; }

    /// <summary>The task's correctness check alone (1 right, 0 wrong): what accuracy and evaluation count.</summary>
    public IRewardFunction AnswerReward { get; }
    public IReadOnlyList<TaskExample> Train { get; }
    public IReadOnlyList<TaskExample> HeldOut { get; }

    /// <summary>True when the policy comes from a model directory's weights rather than a preset and a supervised warm-up.</summary>
    public bool IsPretrained => Config.ModelPath is not null;

    /// <summary>The step's prompts: a function of seed and step only, so a retried or resumed step sees the same ones.</summary>
    public IReadOnlyList<TaskExample> Batch(long step, int count) => batch(step, count);

    /// <summary>
    /// Dynamic sampling's fresh prompts for round <paramref name="round"/> (1, 2, ...) of a step, drawn from the training
    /// set by seed, step and round only, so a retried step oversamples the same prompts.
    /// </summary>
    public IReadOnlyList<TaskExample> Replacements(long step, int round, int count)
    {
        var random = new SplitMix64(SplitMix64.Mix(Config.Seed, step, round, 0xD7A5));
        return [.. Enumerable.Range(0, count).Select(_ => Train[random.NextInt(Train.Count)])];
    }

    public static RunAssets Create(RunConfig config)
    {
        RunConfigLoader.Validate(config, "run configuration", RunComponentCatalog.Default);
        if (config.ModelPath is null)
        {
            return config.Task.Name == TaskSelection.Arithmetic
                ? Arithmetic(config)
                : throw new NotSupportedException(
                    $"task '{config.Task.Name}' needs a Hugging Face tokenizer: set model_path to a model directory (the built-in presets only know arithmetic).");
        }
        return RunAssetsFromModelDirectory.Create(config);
    }

    /// <summary>Assets built around a loaded tokenizer and model config; shared by the preset and model-directory paths.</summary>
    internal static RunAssets Build(RunConfig config, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model)
    {
        var task = TaskSelection.Read(config.Task);
        var (train, heldOut, batch, answer, formatPattern) = task.Name switch
        {
            TaskSelection.Arithmetic => Arithmetic(task.MaxOperand, config.Seed, config.HeldOutSize),
            "gsm8k" => Dataset(config, task, AnswerStyle.Gsm8k, new NumericAnswerReward(), @"####\s*-?[\d,]*\.?\d+"),
            "math" => Dataset(config, task, AnswerStyle.Boxed, new MathAnswerReward(), @"\\boxed\{"),
            "jsonl" => Dataset(config, task, AnswerStyle.Any, new MathAnswerReward(), @"\\boxed\{|####"),
            var other => throw new NotSupportedException($"task '{other}' has no assets in this build."),
        };
        var reward = TaskReward(config, answer, formatPattern, tokenizer);
        return new RunAssets(config, tokenizer, codec, padTokenId, model, reward, answer, train, heldOut, batch);
    }

    static RunAssets Arithmetic(RunConfig config)
    {
        var tokenizer = CharTokenizer.ForArithmetic();
        var model = config.ModelPreset switch
        {
            "tiny" => ModelPresets.Tiny(tokenizer.VocabSize),
            "small" => ModelPresets.Small(tokenizer.VocabSize),
            "medium50m" => ModelPresets.Medium50M(tokenizer.VocabSize),
            var other => throw new NotSupportedException($"model_preset '{other}' is unknown."),
        };
        model = model with { BosTokenId = tokenizer.BosId, EosTokenIds = [tokenizer.EosId] };
        var codec = new PromptCodec(tokenizer, tokenizer.EosId, tokenizer.BosId, new PromptFormat { StopStrings = config.StopStrings });
        return Build(config, tokenizer, codec, tokenizer.PadId, model);
    }

    static (IReadOnlyList<TaskExample>, IReadOnlyList<TaskExample>, Func<long, int, IReadOnlyList<TaskExample>>, IRewardFunction, string) Arithmetic(
        int maxOperand, int seed, int heldOutSize)
    {
        var task = new ArithmeticTask(new ArithmeticTaskOptions { MaxOperand = maxOperand, Seed = seed });
        return (task.Train, task.HeldOut.Take(heldOutSize).ToArray(), task.Batch, new ExactMatchReward(), @"\A\s*-?\d+\s*\z");
    }

    static (IReadOnlyList<TaskExample>, IReadOnlyList<TaskExample>, Func<long, int, IReadOnlyList<TaskExample>>, IRewardFunction, string) Dataset(
        RunConfig config, TaskSelection selection, AnswerStyle style, IRewardFunction answer, string formatPattern)
    {
        var task = DatasetTask.Load(selection.Path!, selection.PromptField, selection.AnswerField, style, config.HeldOutSize, config.Seed);
        return (task.Train, task.HeldOut, task.Batch, answer, formatPattern);
    }

    /// <summary>
    /// The reward of the rewards entries: the task's answer check, the format check and the length penalty, each with
    /// its weight. The answer alone at weight 1 is that reward itself, so the default run scores exactly as the task does.
    /// </summary>
    static IRewardFunction TaskReward(RunConfig config, IRewardFunction answer, string defaultFormatPattern, Tokenizer tokenizer)
    {
        var rewards = config.Rewards.Select((entry, i) => RewardSelection.Read(entry, $"rewards[{i}]")).ToArray();
        if (rewards is [{ Name: "answer", Weight: 1.0 }]) return answer;
        var components = new List<(IRewardFunction, float)>();
        foreach (var reward in rewards)
        {
            IRewardFunction function = reward.Name switch
            {
                "answer" => answer,
                "format" => new FormatReward(reward.Pattern ?? defaultFormatPattern),
                // DAPO's soft overlong penalty: none up to 3/4 of the token budget, growing linearly to -1 at the budget.
                "length" => new LengthPenalty(config.MaxCompletionTokens * 3 / 4, Math.Max(1, config.MaxCompletionTokens / 4), tokenizer: tokenizer),
                var other => throw new NotSupportedException($"reward '{other}' has no implementation in this build."),
            };
            components.Add((function, (float)reward.Weight));
        }
        return new WeightedReward(components);
    }
}
