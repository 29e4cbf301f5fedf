using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
using Grpo.Grains.Runs.Components;
using Microsoft.ML.Tokenizers;

namespace Grpo.Grains.Runs;

/// <summary>
/// Everything a silo derives from a run's configuration: task, tokenizer, prompt codec, reward and model shape, built
/// from the silo's component registries. Every silo builds the same assets from the same config, so prompts, token
/// ids and weight layouts agree across the cluster without shipping them around. A model directory (model_path) is
/// read for its config and tokenizer only; its weights are the learner's to load and reach rollout silos through
/// weight publication.
/// </summary>
public sealed class RunAssets
{
    static readonly GrpoRegistries BuiltIns = GrpoRegistries.CreateDefault();

    RunAssets(RunConfig config, GrpoRegistries registries, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model,
        IPromptTask task, IRewardFunction reward)
    {
        Config = config;
        Registries = registries;
        Tokenizer = tokenizer;
        Codec = codec;
        PadTokenId = padTokenId;
        Model = model;
        Task = task;
        Reward = reward;
    }

    public RunConfig Config { get; }

    /// <summary>The registries the run's components came from; the learner builds its objective from them too.</summary>
    public GrpoRegistries Registries { get; }
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

    /// <summary>The run's assets from <paramref name="registries"/> (the built-in components when null).</summary>
    /// <exception cref="InvalidDataException">A component refused its configuration or its data; the message names the key or file.</exception>
    public static RunAssets Create(RunConfig config, GrpoRegistries? registries = null)
    {
        registries ??= BuiltIns;
        // Names only: building the components below judges their parameters and data, naming the key, so the
        // catalog's own build checks would read the data file a second time.
        RunConfigLoader.Validate(config, "run configuration", ComponentCatalog.FromRegistries(registries));
        var task = Component(() => registries.Tasks.Create(config.Task.Name, Arguments(config.Task, "task", TaskServices(config))));
        return config.ModelPath is null ? Preset(config, task, registries) : RunAssetsFromModelDirectory.Create(config, task, registries);
    }

    /// <summary>Assets built around a loaded tokenizer and model config; shared by the preset and model-directory paths.</summary>
    internal static RunAssets Build(RunConfig config, IPromptTask task, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model,
        GrpoRegistries registries)
    {
        var services = TaskServices(config).With(task).With(new CompletionBudget(config.MaxCompletionTokens, tokenizer));
        var reward = Component(() => RewardSet.Build(
            [.. config.Rewards.Select((spec, i) => (spec.Name, Arguments(spec, $"rewards[{i}]", services)))], registries));
        return new RunAssets(config, registries, tokenizer, codec, padTokenId, model, task, reward);
    }

    /// <summary>
    /// A built-in model trained from scratch: its character vocabulary is the arithmetic alphabet plus every other
    /// character of the task's prompts and answers (in code-point order, so every silo builds the same vocabulary),
    /// which lets a preset learn a user's own small task as well as the demo.
    /// </summary>
    static RunAssets Preset(RunConfig config, IPromptTask task, GrpoRegistries registries)
    {
        var tokenizer = new CharTokenizer(TaskAlphabet(task));
        var model = config.ModelPreset switch
        {
            "tiny" => ModelPresets.Tiny(tokenizer.VocabSize),
            "small" => ModelPresets.Small(tokenizer.VocabSize),
            "medium50m" => ModelPresets.Medium50M(tokenizer.VocabSize),
            var other => throw new NotSupportedException($"model_preset '{other}' is unknown."),
        };
        model = model with { BosTokenId = tokenizer.BosId, EosTokenIds = [tokenizer.EosId] };
        var codec = new PromptCodec(tokenizer, tokenizer.EosId, tokenizer.BosId, new PromptFormat { StopStrings = config.StopStrings });
        return Build(config, task, tokenizer, codec, tokenizer.PadId, model, registries);
    }

    static string TaskAlphabet(IPromptTask task)
    {
        var extra = new SortedSet<char>();
        foreach (var example in task.Train.Concat(task.HeldOut))
        {
            foreach (var character in example.Prompt.Concat(example.Answer))
            {
                if (char.IsSurrogate(character))
                {
                    throw new InvalidDataException(
                        $"task: the example \"{example.Prompt}\" has a character outside the Basic Multilingual Plane, which a built-in model's " +
                        "character vocabulary cannot hold; set model_path to a model directory with its own tokenizer.");
                }

                if (!CharTokenizer.ArithmeticAlphabet.Contains(character)) extra.Add(character);
            }
        }

        return CharTokenizer.ArithmeticAlphabet + string.Concat(extra);
    }

    static ComponentServices TaskServices(RunConfig config) => new ComponentServices().With(new TaskSettings(config.Seed, config.HeldOutSize));

    static ComponentArguments Arguments(ComponentSpec spec, string path, ComponentServices services) =>
        new(path, spec.ParametersAsJson(), services);

    static T Component<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ComponentException e)
        {
            // A refusal crosses grain boundaries as a plain InvalidDataException; its message keeps the key it names.
            throw new InvalidDataException(e.Message, e);
        }
    }
}
