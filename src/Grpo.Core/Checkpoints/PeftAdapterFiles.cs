using Grpo.Core.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A LoRA adapter in PEFT's folder layout: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>, whose keys are
/// the model's adapter keys behind PEFT's <c>base_model.model.</c> prefix. Such a folder loads in PEFT
/// (<c>PeftModel.from_pretrained</c>) on top of the same base model, and PEFT's own adapters load here.
/// </summary>
public static class PeftAdapterFiles
{
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>The prefix PEFT's LoraModel puts before the wrapped model's parameter names.</summary>
    public const string KeyPrefix = "base_model.model.";

    /// <summary>Writes the model's adapters and their config to <paramref name="directory"/> (created when missing).</summary>
    /// <exception cref="InvalidOperationException">The model has no LoRA adapters.</exception>
    public static void Save(string directory, CausalLM model, string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = model.Lora ?? throw new InvalidOperationException("the model has no LoRA adapters to save; apply LoRA first.");
        Directory.CreateDirectory(directory);
        var tensors = model.AdapterStateDict().ToDictionary(p => KeyPrefix + p.Key, p => p.Value, StringComparer.Ordinal);
        SafeTensors.Save(Path.Combine(directory, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        new PeftAdapterConfig(options, baseModelNameOrPath).Save(directory);
    }

    /// <summary>
    /// Reads the adapter tensors of <paramref name="directory"/> on the CPU with PEFT's prefix removed, so the keys are the
    /// model's (<see cref="CausalLM.AdapterStateDict"/>). The caller disposes them.
    /// </summary>
    /// <exception cref="InvalidDataException">A key lacks the prefix or is not a lora_A / lora_B weight; the message names the file and key.</exception>
    public static Dictionary<string, Tensor> LoadWeights(string directory)
    {
        var path = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{directory}' is not a PEFT adapter folder: it has no {WeightsFileName}.", path);
        var stored = SafeTensors.Load(path);
        try
        {
            var bad = stored.Keys.Where(key => !key.StartsWith(KeyPrefix, StringComparison.Ordinal) || !CausalLM.IsAdapterKey(key)
                                               || !key.EndsWith(".weight", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToArray();
            if (bad.Length > 0)
                throw new InvalidDataException(
                    $"{path}: tensor '{bad[0]}' is not a LoRA adapter weight named '{KeyPrefix}<module>.lora_A.weight' or '...lora_B.weight'" +
                    (bad.Length > 1 ? $" (and {bad.Length - 1} more)" : "") + ".");
            return stored.ToDictionary(p => p.Key[KeyPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        }
        catch
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads an adapter folder into a model that has LoRA applied with the same rank, alpha and targets (checked against
    /// the folder's config, so a mismatch is reported by field rather than as a pile of shape errors).
    /// </summary>
    public static PeftAdapterConfig LoadInto(string directory, CausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = PeftAdapterConfig.Load(directory);
        var configPath = Path.Combine(directory, PeftAdapterConfig.FileName);
        var options = model.Lora ?? throw new InvalidOperationException($"the model has no LoRA adapters to load '{directory}' into; apply LoRA first.");
        if (config.Options.Rank != options.Rank)
            throw new InvalidDataException($"{configPath}: field 'r' = {config.Options.Rank}, but the model's adapters have rank {options.Rank}.");
        if (config.Options.Alpha != options.Alpha)
            throw new InvalidDataException($"{configPath}: field 'lora_alpha' = {config.Options.Alpha}, but the model's adapters use {options.Alpha}.");
        if (!config.Options.TargetModules.Order(StringComparer.Ordinal).SequenceEqual(options.TargetModules.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            throw new InvalidDataException(
                $"{configPath}: field 'target_modules' = [{string.Join(", ", config.Options.TargetModules)}], but the model's adapters target [{string.Join(", ", options.TargetModules)}].");
        var weights = LoadWeights(directory);
        try
        {
            model.LoadAdapters(weights, Path.Combine(directory, WeightsFileName));
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
        return config;
    }
}
