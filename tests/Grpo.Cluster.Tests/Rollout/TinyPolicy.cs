using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Runs;
using TorchSharp;
using TextGenerator = Grpo.Core.Generation.Generator;
using static TorchSharp.torch;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// The demo run shape (tiny model, arithmetic task) at test size, weight images of seeded models, and what a direct
/// <see cref="TextGenerator"/> run on those weights produces.
/// </summary>
internal static class TinyPolicy
{
    public static RunConfig Config { get; } = new()
    {
        Seed = 11,
        MaxCompletionTokens = 6,
        Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 20),
        HeldOutSize = 10,
        RolloutBatchWaitMs = 50,
        RolloutMaxBatch = 64,
    };

    public static RunAssets Assets(RunConfig? config = null) => RunAssets.Create(config ?? Config);

    /// <summary>The weight image of a model initialised from <paramref name="seed"/>, in one array (it is small).</summary>
    public static byte[] Image(int seed, RunConfig? config = null)
    {
        using var model = Model(seed, config);
        return WeightSnapshot.Capture(model).ToArray();
    }

    /// <summary>
    /// A model initialised from <paramref name="seed"/>, its matrices scaled up from the 0.02 initialisation so that
    /// the next-token distribution is peaked: greedy choices then never hinge on rounding differences between a
    /// batched and a solo forward.
    /// </summary>
    public static CausalLM Model(int seed, RunConfig? config = null)
    {
        torch.manual_seed(seed);
        var model = new CausalLM(Assets(config).Model);
        using var noGrad = no_grad();
        foreach (var parameter in model.parameters())
            if (parameter.dim() >= 2)
                parameter.mul_(25);
        return model;
    }

    public static int[] Prompt(int index, RunConfig? config = null)
    {
        var assets = Assets(config);
        return assets.Codec.EncodePrompt(assets.Train[index].Prompt);
    }

    /// <summary>Greedy generation of each prompt on its own, straight through the core generator.</summary>
    public static GeneratedSequence[] DirectGreedy(byte[] image, IReadOnlyList<int[]> prompts, RunConfig? config = null)
    {
        var assets = Assets(config);
        using var model = new CausalLM(assets.Model);
        WeightSnapshot.Restore(model, WeightImage.Copy(image, WeightSnapshot.DefaultSegmentBytes), "test image");
        var generator = new TextGenerator(model, assets.PadTokenId, tokens => assets.Codec.DecodeCompletion(tokens));
        var greedy = RunOptions.Sampling(config ?? Config, assets.Codec.EosTokenId) with { Temperature = 0, TopK = 0 };
        return prompts.Select(prompt => generator.Generate([prompt], greedy).Single()).ToArray();
    }
}
