using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
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
    RunAssets(RunConfig config, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model, IPromptTask task, IRewardFunction reward)
    {
        Config = config;
        Tokenizer = tokenizer;
        Codec = codec;
        PadTokenId = padTokenId;
        Model = model;
        Task = task;
        Reward = reward;
    }

    public RunConfig Config { get; }
    public Tokenizer Tokenizer { get; }
    public PromptCodec Codec { get; }
    public int PadTokenId { get; }
    public ModelConfig Model { get; }

    /// <summary>The run's prompt source and answer check, built from the task registry.</summary>
    public IPromptTask Task { get; }

    /// <summary>The training reward: the configured rewards, each with its weight.</summary>
    public IRewardFunction Reward { get; }

    /// <summary>The task's correctness check alone (1 right, 0 wrong): what accuracy and evaluation count.</summary>
    public IRewardFunction AnswerReward => Task.AnswerReward;
    public IReadOnlyList<TaskExample> Train => Task.Train;
    public IReadOnlyList<TaskExample> HeldOut => Task.HeldOut;

    /// <summary>True when the policy comes from a model directory's weights rather than a preset and a supervised warm-up.</summary>
    public bool IsPretrained => Config.ModelPath is not null;

    /// <summary>The step's prompts: a function of seed and step only, so a retried or resumed step sees the same ones.</summary>
    public IReadOnlyList<TaskExample> Batch(long step, int count) => Task.Batch(step, count);

    /// <summary>
    /// Dynamic sampling's fresh prompts for round <paramref name="round"/> (1, 2, ...) of a step, drawn from the training
    /// set by seed, step and round only, so a retried step oversamples the same prompts.
    /// </summary>
    public IReadOnlyList<TaskExample> Replacements(long step, int round, int count) => Task.Replacements(step, round, count);

    public static RunAssets Create(RunConfig config)
    {
        RunConfigLoader.Validate(config, "run configuration");
        if (config.ModelPath is null)
        {
            return config.Task == "arithmetic"
                ? Arithmetic(config)
                : throw new NotSupportedException(
                    $"task '{config.Task}' needs a Hugging Face tokenizer: set model_path to a model directory (the built-in presets only know arithmetic).");
        }
        return RunAssetsFromModelDirectory.Create(config);
    }

    /// <summary>Assets built around a loaded tokenizer and model config; shared by the preset and model-directory paths.</summary>
    internal static RunAssets Build(RunConfig config, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model)
    {
        var services = new ComponentServices()
            .With(new TaskSettings(config.Seed, config.HeldOutSize))
            .With(new CompletionBudget(config.MaxCompletionTokens, tokenizer));
        try
        {
            var task = FlatConfig.Registries.Tasks.Create(config.Task, FlatConfig.TaskArguments(config, services));
            services.With(task);
            var reward = RewardSet.Build(FlatConfig.RewardEntries(config, services), FlatConfig.Registries);
            return new RunAssets(config, tokenizer, codec, padTokenId, model, task, reward);
        }
        catch (ComponentException e)
        {
            // Callers handle unusable data as InvalidDataException; the data file's own message names file, line and field.
            throw new InvalidDataException(e.InnerException?.Message ?? e.Message, e);
        }
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

    /// <summary>
    /// Today's flat configuration keys (task, dataset_path, prompt_field, answer_field, arithmetic_max_operand,
    /// reward_weights, format_pattern) as arguments of the task and reward registries, until the configuration names
    /// its task and rewards with their parameters itself.
    /// </summary>
    static class FlatConfig
    {
        public static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

        public static ComponentArguments TaskArguments(RunConfig config, ComponentServices services) =>
            new("task", config.Task == "arithmetic"
                ? Values(("max_operand", config.ArithmeticMaxOperand))
                : Values(("path", config.DatasetPath), ("prompt_field", config.PromptField), ("answer_field", config.AnswerField)), services);

        public static IReadOnlyList<(string Name, ComponentArguments Arguments)> RewardEntries(RunConfig config, ComponentServices services) =>
        [
            .. config.RewardWeights.Select(entry => (entry.Key, new ComponentArguments($"reward_weights.{entry.Key}",
                entry.Key == "format" && config.FormatPattern is { } pattern
                    ? Values((RewardSet.WeightParameter, entry.Value), ("pattern", pattern))
                    : Values((RewardSet.WeightParameter, entry.Value)), services))),
        ];

        static Dictionary<string, JsonElement> Values(params (string Name, object? Value)[] values) =>
            values.ToDictionary(value => value.Name, value => JsonSerializer.SerializeToElement(value.Value));
    }
}
