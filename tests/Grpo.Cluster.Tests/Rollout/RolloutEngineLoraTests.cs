using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TextGenerator = Grpo.Core.Generation.Generator;
using static TorchSharp.torch;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>A LoRA run's rollout: the silo rebuilds the base from the run's seed and loads published adapter images only.</summary>
public sealed class RolloutEngineLoraTests
{
    const string Run = "lora-weights-run";

    static RolloutEngine Engine(IWeightSource source) =>
        new(source, new RunAssetsCache(), new RolloutEngineOptions { PullParallelism = 2, WorkerName = "lora-torch" });

    /// <summary>The learner's starting model (seeded base and adapters) with large random adapters, so they decide the greedy tokens.</summary>
    static CausalLM TrainedPolicy(RunAssets assets, int adapterSeed)
    {
        var model = RunBaseModel.Create(assets);
        using var noGrad = no_grad();
        using var generator = new TorchSharp.torch.Generator((ulong)adapterSeed);
        foreach (var (_, value) in model.AdapterStateDict())
            value.copy_(randn(value.shape, generator: generator) * 2);
        return model;
    }

    static GeneratedSequence[] DirectGreedy(CausalLM model, RunAssets assets, IReadOnlyList<int[]> prompts)
    {
        var generator = new TextGenerator(model, assets.PadTokenId, tokens => assets.Codec.DecodeCompletion(tokens));
        var greedy = RunOptions.Sampling(assets.Config, assets.Codec.EosTokenId) with { Temperature = 0, TopK = 0 };
        return prompts.Select(prompt => generator.Generate([prompt], greedy).Single()).ToArray();
    }

    [Theory]
    [InlineData("float32", "float32")]
    [InlineData("bfloat16", "float32")]
    [InlineData("float32", "bfloat16")]
    public async Task Published_adapters_on_the_rebuilt_base_generate_what_the_learners_model_does(string computeDtype, string baseDtype)
    {
        var config = TinyPolicy.Config with { TopK = 1, LoraRank = 4, ComputeDtype = computeDtype, LoraBaseDtype = baseDtype };
        var assets = RunAssets.Create(config);
        int[][] prompts = [TinyPolicy.Prompt(0, config), TinyPolicy.Prompt(1, config), TinyPolicy.Prompt(2, config)];
        using var first = TrainedPolicy(assets, adapterSeed: 1);
        using var second = TrainedPolicy(assets, adapterSeed: 2);
        var source = new FakeWeightSource();
        source.Publish(Run, 1, WeightSnapshot.Capture(first.AdapterStateDict()).ToArray());
        await using var engine = Engine(source);

        var early = await engine.GenerateAsync(Run, config, prompts[0], 1, CancellationToken.None);
        source.Publish(Run, 2, WeightSnapshot.Capture(second.AdapterStateDict()).ToArray());
        var late = await engine.GenerateAsync(Run, config, prompts[1], 2, CancellationToken.None);

        Assert.Equal(1, early.PolicyVersion);
        Assert.Equal(2, late.PolicyVersion);
        if (computeDtype == "float32")
        {
            // bfloat16 generation rounds differently from the float32 learner, so only float32 is compared token for token.
            Assert.Equal(DirectGreedy(first, assets, [prompts[0]])[0].Tokens, early.Tokens);
            Assert.Equal(DirectGreedy(second, assets, [prompts[1]])[0].Tokens, late.Tokens);
            Assert.NotEqual(DirectGreedy(first, assets, [prompts[1]])[0].Tokens, late.Tokens);
        }
    }
}
