using Grpo.Core.Checkpoints;

namespace Grpo.Client.Export;

/// <summary>A checked <c>grpo export</c> command line: every path absolute, the ones read known to exist.</summary>
/// <param name="Source">The --checkpoint folder: a checkpoint, or a folder of them (the newest is taken).</param>
/// <param name="ModelDirectory">The Hugging Face model the policy was trained from: its config.json gives the shape and its tokenizer files are copied.</param>
/// <param name="ConfigPath">The run configuration (--config), when the shape should come from it rather than the run folder's config.json.</param>
/// <param name="AdapterOnly">Write a LoRA checkpoint's adapters as a PEFT folder instead of the merged model.</param>
public sealed record ExportArguments(string Source, string OutputDirectory, HfExportDType DType, string? ModelDirectory, string? ConfigPath, bool Force,
    bool AdapterOnly = false)
{
    /// <exception cref="ArgumentException">An option is missing or names a path that does not exist, or the dtype is unknown.</exception>
    public static ExportArguments Resolve(string? checkpoint, string? output, string? dtype, string? model, string? config, bool force, bool adapterOnly = false)
    {
        if (string.IsNullOrWhiteSpace(checkpoint))
            throw new ArgumentException("--checkpoint DIR is required: a learner checkpoint folder, or a folder of checkpoints.");
        if (string.IsNullOrWhiteSpace(output))
            throw new ArgumentException("--out DIR is required: the Hugging Face model directory (or, with --adapter-only, the PEFT adapter folder) to write.");
        var source = ExistingDirectory("--checkpoint", checkpoint);
        var modelDirectory = model is null ? null : ExistingDirectory("--model", model);
        if (modelDirectory is not null && !File.Exists(Path.Combine(modelDirectory, HfModelDirectory.ConfigFileName)))
            throw new ArgumentException($"--model '{modelDirectory}' has no {HfModelDirectory.ConfigFileName}.");
        string? configPath = null;
        if (config is not null)
        {
            configPath = Path.GetFullPath(config);
            if (!File.Exists(configPath))
                throw new ArgumentException($"--config '{configPath}' does not exist.");
        }
        var type = (dtype ?? "bfloat16") switch
        {
            "bfloat16" or "bf16" => HfExportDType.BFloat16,
            "float32" or "fp32" => HfExportDType.Float32,
            _ => throw new ArgumentException($"--dtype '{dtype}': expected bfloat16 or float32."),
        };
        // Adapters are written in the dtype they trained in, as PEFT stores them; a requested dtype would be silently ignored.
        if (adapterOnly && dtype is not null)
            throw new ArgumentException("--dtype applies to the merged model; --adapter-only writes the adapters as they were trained (float32).");
        return new ExportArguments(source, Path.GetFullPath(output), type, modelDirectory, configPath, force, adapterOnly);
    }

    static string ExistingDirectory(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new ArgumentException($"{option} '{full}' is not a directory.");
        return full;
    }
}
