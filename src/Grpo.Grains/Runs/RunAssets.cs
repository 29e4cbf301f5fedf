using Grpo.Abstractions.Configuration;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;
using Microsoft.ML.Tokenizers;

namespace Grpo.Grains.Runs;

/// <summary>
/// Everything a silo derives from a run's configuration: tokenizer, prompt codec, task data, reward and model
/// shape. Every silo builds the same assets from the same config, so prompts, token ids and weight layouts agree
/// across the cluster without shipping them around.
/// </summary>
public sealed class RunAssets
{
    RunAssets(RunConfig config, Tokenizer tokenizer, PromptCodec codec, int padTokenId, ModelConfig model, IRewardFunction reward,
        IReadOnlyList<TaskExample> train, IReadOnlyList<TaskExample> heldOut, Func<long, int, IReadOnlyList<TaskExample>> batch)
    {
        Config = config;
        Tokenizer = tokenizer;
        Codec = codec;
        PadTokenId = padTokenId;
        Model = model;
        Reward = reward;
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
    public IRewardFunction Reward { get; }
    public IReadOnlyList<TaskExample> Train { get; }
    public IReadOnlyList<TaskExample> HeldOut { get; }

    /// <summary>The step's prompts: a function of seed and step only, so a retried or resumed step sees the same ones.</summary>
    public IReadOnlyList<TaskExample> Batch(long step, int count) => batch(step, count);

    public static RunAssets Create(RunConfig config)
    {
        RunConfigLoader.Validate(config, "run configuration");
        // Keys the configuration accepts but the cluster cannot honour yet are refused, never silently ignored.
        if (config.DynamicSampling)
            throw new NotSupportedException("dynamic_sampling: replacing groups whose rewards are all equal is not implemented yet; leave it false.");
        if (config.ModelPath is not null)
            throw new NotSupportedException(
                $"model_path '{config.ModelPath}': training a Hugging Face model directory is not supported yet; use model_preset with task arithmetic.");
        return config.Task switch
        {
            "arithmetic" => Arithmetic(config),
            _ => throw new NotSupportedException(
                $"task '{config.Task}' needs a Hugging Face tokenizer (model_path), which is not supported yet; use task arithmetic."),
        };
    }

    static RunAssets Arithmetic(RunConfig config)
    {
        var tokenizer = CharTokenizer.ForArithmetic();
        var task = new ArithmeticTask(new ArithmeticTaskOptions { MaxOperand = config.ArithmeticMaxOperand, Seed = config.Seed });
        var heldOut = task.HeldOut.Take(config.HeldOutSize).ToArray();
        var model = config.ModelPreset switch
        {
            "tiny" => ModelPresets.Tiny(tokenizer.VocabSize),
            "small" => ModelPresets.Small(tokenizer.VocabSize),
            "medium50m" => ModelPresets.Medium50M(tokenizer.VocabSize),
            var other => throw new NotSupportedException($"model_preset '{other}' is unknown."),
        };
        model = model with { BosTokenId = tokenizer.BosId, EosTokenIds = [tokenizer.EosId] };
        return new RunAssets(config, tokenizer, new PromptCodec(tokenizer, tokenizer.EosId, tokenizer.BosId), tokenizer.PadId, model,
            new ExactMatchReward(), task.Train, heldOut, task.Batch);
    }
}
