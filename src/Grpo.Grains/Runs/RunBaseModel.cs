using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using TorchSharp;

namespace Grpo.Grains.Runs;

/// <summary>
/// The run's model as its seed initialises it and, with LoRA, the frozen base every silo rebuilds for itself (the model
/// directory's weights, or that seed initialisation) with adapters applied: only adapters travel between silos.
/// </summary>
public static class RunBaseModel
{
    // torch.manual_seed reseeds the process-wide generator, so two engines of one process (a learner and a rollout
    // engine, in tests and single-machine runs) building at once would interleave their draws and get other weights.
    static readonly object Seeding = new();

    /// <summary>The run's LoRA options, or null when lora_rank is 0 (full fine-tuning).</summary>
    public static LoraOptions? Lora(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.LoraRank == 0) return null;
        return new LoraOptions
        {
            Rank = config.LoraRank,
            Alpha = config.LoraAlpha,
            Dropout = config.LoraDropout,
            TargetModules = config.LoraTargetModules.Select(LoraOptions.TargetModuleName).ToArray(),
            BaseDtype = config.LoraBaseDtype,
        };
    }

    /// <summary>
    /// A new model from the run's seed, on the CPU. Without LoRA that is all (the caller loads what weights it needs). With
    /// LoRA the model directory's weights replace the initialisation when the run has one, and adapters are added, their A
    /// drawn right after the seeded initialisation so the learner's starting adapters are the same on every start.
    /// </summary>
    public static CausalLM Create(RunAssets assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var lora = Lora(assets.Config);
        lock (Seeding)
        {
            torch.manual_seed(assets.Config.Seed);
            // A bfloat16 base is held in bfloat16 from construction, never whole in float32 first: for a 0.5B model that
            // float32 detour was a 2 GB transient on the learner and again on every rollout engine.
            var model = lora?.BaseDtype == "bfloat16" ? new CausalLM(assets.Model, torch.ScalarType.BFloat16) : new CausalLM(assets.Model);
            if (lora is null) return model;
            try
            {
                if (assets.IsPretrained)
                    HfModelFiles.LoadWeightsInto(Path.GetFullPath(assets.Config.ModelPath!), model);
                model.ApplyLora(lora);
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
    }
}
