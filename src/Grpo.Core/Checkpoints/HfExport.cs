using Grpo.Core.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Writes a Hugging Face model directory (config.json, safetensors weights, tokenizer files) from a model config and any
/// state dict with Hugging Face keys: a trained policy's, or one with adapters merged in. The directory is assembled in a
/// temporary sibling folder and renamed into place, so a reader never sees half of it.
/// </summary>
public static class HfExport
{
    /// <summary>The tokenizer and generation files a Hub model directory may carry; those present in the source are copied.</summary>
    public static readonly IReadOnlyList<string> TokenizerFileNames =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
        "vocab.json", "merges.txt", "added_tokens.json", "tokenizer.model", "chat_template.jinja",
    ];

    /// <param name="outputDirectory">Created; must not exist or be empty unless <see cref="HfExportOptions.Overwrite"/>.</param>
    /// <param name="config">Written as config.json with <c>torch_dtype</c> set to the dtype written.</param>
    /// <param name="stateDict">Hugging Face parameter names to tensors of any dtype and device; converted, not modified.</param>
    /// <exception cref="IOException">The output folder is a file, or is non-empty and overwriting was not asked for.</exception>
    /// <exception cref="DirectoryNotFoundException">The tokenizer source folder does not exist.</exception>
    public static HfExportResult Write(string outputDirectory, ModelConfig config, IReadOnlyDictionary<string, Tensor> stateDict, HfExportOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(options);
        if (stateDict.Count == 0)
            throw new ArgumentException("the state dict to export is empty", nameof(stateDict));
        var final = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        CheckOutput(final, options.Overwrite);
        var tokenizerFiles = TokenizerFiles(options.TokenizerSource);
        var (scalarType, dtypeName) = options.DType switch
        {
            HfExportDType.BFloat16 => (ScalarType.BFloat16, "bfloat16"),
            HfExportDType.Float32 => (ScalarType.Float32, "float32"),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.DType, "DType must be BFloat16 or Float32"),
        };

        var parent = Path.GetDirectoryName(final) ?? throw new IOException($"output folder '{final}' has no parent folder");
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{Path.GetFileName(final)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            (config with { TorchDtype = dtypeName }).Save(Path.Combine(temporary, HfModelDirectory.ConfigFileName));
            long bytes;
            using (NewDisposeScope())
            {
                var converted = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().to_type(scalarType), StringComparer.Ordinal);
                bytes = converted.Values.Sum(t => t.numel() * t.ElementSize);
                SafeTensors.SaveSharded(temporary, converted, options.MaxShardBytes);
            }
            foreach (var source in tokenizerFiles)
                File.Copy(source, Path.Combine(temporary, Path.GetFileName(source)));
            var weightFiles = Directory.EnumerateFiles(temporary, "*.safetensors*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

            // Checked again: another writer may have filled the folder while this export ran.
            CheckOutput(final, options.Overwrite);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temporary, final);
            return new HfExportResult(final, dtypeName, weightFiles, tokenizerFiles.Select(Path.GetFileName).OfType<string>().ToArray(), bytes);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Exports a model's own weights (its <c>state_dict()</c>, Hugging Face names) with its config.</summary>
    public static HfExportResult Write(string outputDirectory, CausalLM model, HfExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Write(outputDirectory, model.Config, model.state_dict(), options);
    }

    internal static void CheckOutput(string directory, bool overwrite)
    {
        if (File.Exists(directory))
            throw new IOException($"output folder '{directory}' is an existing file");
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any() && !overwrite)
            throw new IOException($"output folder '{directory}' exists and is not empty; choose another folder or ask to overwrite it");
    }

    static string[] TokenizerFiles(string? sourceDirectory)
    {
        if (sourceDirectory is null) return [];
        if (!Directory.Exists(sourceDirectory))
            throw new DirectoryNotFoundException($"tokenizer source folder '{sourceDirectory}' does not exist");
        return TokenizerFileNames.Select(name => Path.Combine(sourceDirectory, name)).Where(File.Exists).ToArray();
    }
}
