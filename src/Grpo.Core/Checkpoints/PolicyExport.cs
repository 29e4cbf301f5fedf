using Grpo.Core.Model;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Writes a trained policy for use outside training: as a Hugging Face model directory (with LoRA, the adapters merged
/// into the base, so any Hugging Face loader runs it without PEFT), or as a PEFT adapter folder alone.
/// </summary>
public static class PolicyExport
{
    /// <summary>
    /// Writes <paramref name="policy"/> as a Hugging Face model directory: its own weights, or with LoRA every projection
    /// as W + scale · B A and no adapter keys, which computes what the adapter model does.
    /// </summary>
    public static HfExportResult WriteModel(string outputDirectory, CausalLM policy, HfExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Lora is null) return HfExport.Write(outputDirectory, policy, options);
        var merged = policy.MergedStateDict();
        try
        {
            return HfExport.Write(outputDirectory, policy.Config, merged, options);
        }
        finally
        {
            foreach (var tensor in merged.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Writes the policy's adapters as a PEFT folder (adapter_config.json and adapter_model.safetensors, keys
    /// <c>base_model.model.&lt;module&gt;.lora_A.weight</c>), assembled under a temporary sibling name and renamed into place.
    /// </summary>
    /// <returns>The names of the files written.</returns>
    /// <exception cref="InvalidOperationException">The policy has no LoRA adapters.</exception>
    /// <exception cref="IOException">The output folder is a file, or is non-empty and <paramref name="overwrite"/> is false.</exception>
    public static IReadOnlyList<string> WriteAdapters(string outputDirectory, CausalLM policy, bool overwrite, string? baseModelNameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Lora is null)
            throw new InvalidOperationException("the policy has no LoRA adapters; only a LoRA policy can be written as an adapter folder.");
        var final = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        HfExport.CheckOutput(final, overwrite);
        var parent = Path.GetDirectoryName(final) ?? throw new IOException($"output folder '{final}' has no parent folder");
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{Path.GetFileName(final)}.tmp-{Guid.NewGuid():N}");
        try
        {
            PeftAdapterFiles.Save(temporary, policy, baseModelNameOrPath);
            HfExport.CheckOutput(final, overwrite);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temporary, final);
            return [PeftAdapterConfig.FileName, PeftAdapterFiles.WeightsFileName];
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>
    /// Copies a LoRA training checkpoint's adapters to a PEFT folder of their own, after verifying the checkpoint's
    /// checksums and that the adapters fit a model of <paramref name="shape"/>. No base weights are needed or read.
    /// </summary>
    /// <returns>The training step the checkpoint was taken at.</returns>
    /// <exception cref="InvalidDataException">The checkpoint holds full weights, or is incomplete, corrupt or of another shape.</exception>
    public static long ExportAdapters(string checkpointDirectory, ModelConfig shape, string outputDirectory, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!TrainingCheckpoint.IsLora(checkpointDirectory))
            throw new InvalidDataException(
                $"checkpoint '{checkpointDirectory}' holds full weights ({TrainingCheckpoint.ModelFileName}), not LoRA adapters ({PeftAdapterConfig.FileName}); " +
                "only a LoRA checkpoint has an adapter folder to export.");
        var adapterConfig = PeftAdapterConfig.Load(checkpointDirectory);
        // The base's values do not matter here, only its shape: the adapters are loaded and written back unchanged.
        using var policy = new CausalLM(shape);
        policy.ApplyLora(adapterConfig.Options);
        var loaded = TrainingCheckpoint.Load(checkpointDirectory, policy);
        foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
        WriteAdapters(outputDirectory, policy, overwrite, adapterConfig.BaseModelNameOrPath);
        return loaded.State.Step;
    }
}
