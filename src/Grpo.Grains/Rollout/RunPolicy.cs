using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Grains.Rollout;

/// <summary>
/// A run's policy on this silo: the model and the version loaded into it. Created, used and disposed on the engine's
/// torch thread only. The model lives on the engine's device; prompts go to it inside the generator and tokens and
/// log-probs come back as CPU arrays. Each completion samples from its own keyed stream (<see cref="SampleKey"/>).
/// </summary>
internal sealed class RunPolicy : IDisposable
{
    readonly CausalLM model;
    readonly Func<IReadOnlyList<int>, string> decode;
    ContinuousBatcher? batcher;
    RunConfig? batcherConfig;

    /// <summary>A slot holds at least this many prompt tokens, so the run's later prompts usually fit beside the first ones.</summary>
    internal const int MinSlotPromptTokens = 64;
    readonly bool serveMerged;

    public RunPolicy(RunAssets assets, torch.Device device)
    {
        Assets = assets;
        // With LoRA the base is rebuilt here exactly as on the learner and only adapters are published; without it the
        // whole model arrives with each version, so its initialisation does not matter.
        model = RunBaseModel.Lora(assets.Config) is null ? new CausalLM(assets.Model) : RunBaseModel.Create(assets);
        // A bfloat16 run's learner publishes bfloat16 images (half the bytes to pull), loaded as they are; a float32 image
        // is rounded on load. The learner keeps float32 either way.
        if (assets.Config.ComputeDtype == "bfloat16") model.to(torch.ScalarType.BFloat16);
        model.to(device);
        model.eval();
        // Adapters are folded into float32 weights for generation: on the tiny preset (2 shared CPU cores, 16 new tokens,
        // fastest of 10 interleaved calls) merged weights took 418 ms for 8 prompts and 1262 ms for 64 against 570 ms and
        // 1532 ms with the adapters side by side. bfloat16 weights cannot hold a merge exactly, so they serve side by side.
        serveMerged = model.Lora is not null && assets.Config.ComputeDtype == "float32" && model.Lora.BaseDtype == "float32";
        decode = assets.Codec.DecodeUntilStop;
    }

    public RunAssets Assets { get; }

    /// <summary>The policy version in the model, or -1 while it still holds its random initialisation.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>The learner lineage that published <see cref="Version"/>.</summary>
    public LearnerLineage Lineage { get; private set; }

    /// <summary>
    /// Loads the weights of <paramref name="version"/> in place. Rows the batcher is still decoding go on with them
    /// (partial rollouts, <see cref="ContinuousBatcher.WeightsChanged"/>); only a newer version of the same lineage may
    /// be loaded under them, which the engine ensures.
    /// </summary>
    public void Load(WeightImage image, long version, LearnerLineage lineage, string sourceName)
    {
        if (batcher is { IsIdle: false } && (version <= Version || lineage != Lineage))
            throw new InvalidOperationException(
                $"{sourceName}: rows are decoding with version {Version} of lineage {Lineage}; only a newer version of that lineage may replace it");
        if (model.Lora is null)
        {
            WeightSnapshot.Restore(model, image, sourceName);
        }
        else
        {
            // The old adapters' product leaves the weights before the new adapters arrive and is replaced by theirs.
            model.UnmergeAdapters();
            WeightSnapshot.Restore(model.AdapterStateDict(), image, sourceName);
            if (serveMerged) model.MergeAdapters();
        }
        Version = version;
        Lineage = lineage;
        batcher?.WeightsChanged(version);
    }

    /// <summary>
    /// The continuous batcher over this policy's model for <paramref name="config"/>'s sampling and
    /// <c>rollout_max_batch</c> slots, kept across rounds so its slot cache is allocated once: a new one only when the
    /// configuration changes or <paramref name="longestPrompt"/> does not fit. A slot's prompt room is twice the longest
    /// prompt seen (at least <see cref="MinSlotPromptTokens"/>) within the model's positions. Weights loaded while it decodes
    /// switch its rows to them (see <see cref="Load"/>).
    /// </summary>
    public ContinuousBatcher Batcher(RunConfig config, int longestPrompt)
    {
        if (batcher is { IsIdle: true } kept && Equals(batcherConfig, config) && kept.MaxPromptTokens >= longestPrompt) return kept;
        DiscardBatcher();
        var sampling = RunOptions.Sampling(config, Assets.Codec.StopTokenIds);
        var room = Assets.Model.MaxPositionEmbeddings - sampling.MaxNewTokens;
        batcher = new ContinuousBatcher(model, sampling, Math.Max(1, config.RolloutMaxBatch), Math.Min(room, Math.Max(MinSlotPromptTokens, 2 * longestPrompt)), decode, Version);
        batcherConfig = config;
        return batcher;
    }

    /// <summary>Drops the batcher (after a failure left rows in it), so the next round starts from an empty one.</summary>
    public void DiscardBatcher()
    {
        batcher?.Dispose();
        batcher = null;
        batcherConfig = null;
    }

    public void Dispose()
    {
        DiscardBatcher();
        model.Dispose();
    }
}
