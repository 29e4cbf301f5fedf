using Grpo.Core.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

// A LoRA policy's checkpoint holds only its adapters, as a PEFT adapter folder (adapter_config.json and
// adapter_model.safetensors): the base is the model directory's weights or the run's seed initialisation, rebuilt on
// resume, and the folder itself tells eval and export that it is an adapter over a base, loadable by PEFT as it is.
public static partial class TrainingCheckpoint
{
    /// <summary>True when the checkpoint folder holds LoRA adapters (it has PEFT's adapter_config.json) rather than full weights.</summary>
    public static bool IsLora(string checkpointDirectory) => File.Exists(Path.Combine(checkpointDirectory, PeftAdapterConfig.FileName));

    /// <returns>The files written, whose checksums go into trainer_state.json.</returns>
    static string[] SaveWeights(string folder, nn.Module model, string? baseModelNameOrPath)
    {
        if (model is CausalLM { Lora: not null } adapted)
        {
            PeftAdapterFiles.Save(folder, adapted, baseModelNameOrPath);
            return [PeftAdapterFiles.WeightsFileName, PeftAdapterConfig.FileName];
        }
        SafeTensors.Save(Path.Combine(folder, ModelFileName), model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
        return [ModelFileName];
    }

    /// <summary>The weight file a checkpoint must list for <paramref name="model"/>, refusing a LoRA checkpoint for a plain model and the reverse.</summary>
    static string WeightsFileOf(string checkpointDirectory, nn.Module model)
    {
        var adapted = model is CausalLM { Lora: not null };
        var lora = IsLora(checkpointDirectory);
        if (lora && !adapted)
            throw new InvalidDataException(
                $"Checkpoint '{checkpointDirectory}' holds LoRA adapters ({PeftAdapterConfig.FileName}), but the model has none: resume it with the same lora_rank.");
        if (!lora && adapted)
            throw new InvalidDataException(
                $"Checkpoint '{checkpointDirectory}' holds full weights ({ModelFileName}), but the model trains LoRA adapters: resume it with lora_rank 0.");
        return lora ? PeftAdapterFiles.WeightsFileName : ModelFileName;
    }

    static void LoadWeights(string checkpointDirectory, nn.Module model)
    {
        if (model is CausalLM { Lora: not null } adapted)
        {
            PeftAdapterFiles.LoadInto(checkpointDirectory, adapted);
            return;
        }
        var modelPath = Path.Combine(checkpointDirectory, ModelFileName);
        var weights = SafeTensors.Load(modelPath);
        try
        {
            WeightLoader.LoadInto(model, weights, modelPath, strict: true);
        }
        finally
        {
            foreach (var tensor in weights.Values)
                tensor.Dispose();
        }
    }
}
