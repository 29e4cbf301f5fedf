using Grpo.Abstractions.Configuration;
using Grpo.Client.Eval;
using Grpo.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Runtime;
using Grpo.Grains.Runs;
using Grpo.Grains.Runs.Components;

namespace Grpo.Client.Export;

/// <summary>
/// <c>grpo export</c>: finds the checkpoint as <c>grpo eval</c> does, learns the model's shape from --model, --config or
/// the run folder's config.json, loads the weights (checksums verified) and writes them with <see cref="HfExport"/>.
/// Unusable inputs end with one sentence naming the path and exit code 2.
/// </summary>
public sealed class ExportCommand(TextWriter output, TextWriter error, Action? ensureTorchAvailable = null)
{
    /// <summary>How many folders above the checkpoint a run's config.json is looked for (runs/ID/checkpoints[/ID]/step-N).</summary>
    const int RunFolderSearchDepth = 3;

    readonly Action ensureTorchAvailable = ensureTorchAvailable ?? TorchRuntime.EnsureAvailable;

    public Task<int> RunAsync(ExportArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            ensureTorchAvailable();
        }
        catch (TorchUnavailableException exception)
        {
            error.WriteLine("grpo export: " + exception.Message);
            return Task.FromResult(ExitCodes.TorchUnavailable);
        }

        try
        {
            var checkpoint = PolicyWeights.FindCheckpoint(arguments.Source);
            var (config, tokenizerSource, shapeSource) = ModelShape(arguments, checkpoint);
            using var model = new CausalLM(config);
            var loaded = TrainingCheckpoint.Load(checkpoint, model);
            foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
            var result = HfExport.Write(arguments.OutputDirectory, model, new HfExportOptions
            {
                DType = arguments.DType,
                TokenizerSource = tokenizerSource,
                Overwrite = arguments.Force,
            });
            output.WriteLine($"exported step {loaded.State.Step} of {checkpoint} (model shape from {shapeSource}) to {result.Directory}");
            output.WriteLine($"  {result.TorchDtype} weights: {string.Join(", ", result.WeightFiles)} ({result.WeightBytes / 1e6:0.0} MB)");
            output.WriteLine(result.TokenizerFiles.Count > 0
                ? $"  tokenizer files: {string.Join(", ", result.TokenizerFiles)}"
                : "  no tokenizer files copied (the run used a built-in tokenizer; pass --model DIR to copy a model's)");
            return Task.FromResult(ExitCodes.Success);
        }
        catch (Exception e) when (e is EvalInputException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException
                                       or InvalidOperationException or RunConfigException or NotSupportedException)
        {
            error.WriteLine($"grpo export: cannot export '{arguments.Source}': {e.Message}");
            return Task.FromResult(ExitCodes.InvalidArguments);
        }
    }

    /// <summary>The model config, the folder to copy tokenizer files from (if any) and where the shape came from.</summary>
    static (ModelConfig Config, string? TokenizerSource, string ShapeSource) ModelShape(ExportArguments arguments, string checkpoint)
    {
        if (arguments.ModelDirectory is { } modelDirectory)
            return (ModelConfig.Load(Path.Combine(modelDirectory, HfModelDirectory.ConfigFileName)), modelDirectory, modelDirectory);
        var configPath = arguments.ConfigPath ?? FindRunConfig(checkpoint)
            ?? throw new ArgumentException(
                $"no run configuration (config.json) in the {RunFolderSearchDepth} folders above checkpoint '{checkpoint}'; " +
                "pass --config FILE (the run's configuration) or --model DIR (the model it was trained from)");
        var runConfig = RunConfigLoader.Load(configPath, RunComponentCatalog.Default);
        var assets = RunAssets.Create(runConfig);
        return (assets.Model, runConfig.ModelPath, configPath);
    }

    static string? FindRunConfig(string checkpoint)
    {
        var folder = Directory.GetParent(checkpoint);
        for (var i = 0; i < RunFolderSearchDepth && folder is not null; i++, folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "config.json");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
