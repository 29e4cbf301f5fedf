using Grpo.Core.Checkpoints;
using Grpo.Core.Model;

namespace Grpo.Grains.Runs;

/// <summary>
/// The policy a learner checkpoint of a run holds, as a model: a full checkpoint's weights in the run's model shape, or
/// a LoRA checkpoint's adapters on the run's base (<see cref="RunBaseModel"/>: the model directory's weights or the
/// seed's initialisation), so eval and export compute what the learner trained.
/// </summary>
public static class RunCheckpointPolicy
{
    /// <summary>Loads the checkpoint (checksums verified) into a new CPU model; the caller disposes it.</summary>
    /// <exception cref="InvalidDataException">
    /// The checkpoint is incomplete or corrupt, or it holds LoRA adapters the run's configuration does not describe
    /// (lora_rank 0, or another rank, alpha or target list); the message names the checkpoint and the field.
    /// </exception>
    public static (CausalLM Policy, TrainingState State) Load(RunAssets assets, string checkpointDirectory)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var lora = TrainingCheckpoint.IsLora(checkpointDirectory);
        if (lora && RunBaseModel.Lora(assets.Config) is null)
            throw new InvalidDataException(
                $"checkpoint '{checkpointDirectory}' holds LoRA adapters ({PeftAdapterConfig.FileName}), but the run configuration has lora_rank 0: " +
                "use the configuration the run trained with, whose lora_* settings and base (model_path or seed) the adapters belong to.");
        var policy = lora ? RunBaseModel.Create(assets) : new CausalLM(assets.Model);
        try
        {
            var loaded = TrainingCheckpoint.Load(checkpointDirectory, policy);
            foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
            return (policy, loaded.State);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }
}
