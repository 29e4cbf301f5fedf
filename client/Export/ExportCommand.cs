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
/// <c>grpo export</c>: finds the checkpoint as <c>grpo eval</c> does, learns the model's shape (and, for LoRA adapters,
/// their base) from --model, --config or the run folder's config.json, loads the weights (checksums verified) and writes
/// them as a Hugging Face model directory, adapters merged in; or, with --adapter-only, the adapters as a PEFT folder.
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
            var choice = PolicyWeights.FindCheckpoint(arguments.Source);
            if (choice.Warning is { } warning) error.WriteLine($"grpo export: warning: {warning}");
            var checkpoint = choice.Path!;
            if (arguments.AdapterOnly) ExportAdapters(arguments, checkpoint);
            else if (arguments.ModelDirectory is { } modelDirectory) ExportOverModelDirectory(arguments, checkpoint, modelDirectory);
            else ExportWithRunConfiguration(arguments, checkpoint);
            return Task.FromResult(ExitCodes.Success);
        }
        catch (Exception e) when (e is EvalInputException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException
                                       or InvalidOperationException or RunConfigException or NotSupportedException)
        {
            error.WriteLine($"grpo export: cannot export '{arguments.Source}': {e.Message}");
            return Task.FromResult(ExitCodes.InvalidArguments);
        }
    }

    /// <summary>The run's own base and LoRA settings rebuild the policy, as the learner built it.</summary>
    void ExportWithRunConfiguration(ExportArguments arguments, string checkpoint)
    {
        var (assets, configPath) = RunAssetsOf(arguments, checkpoint);
        var result = FinalModelExport.ExportFinalModel(assets, checkpoint, arguments.OutputDirectory, arguments.DType, arguments.Force);
        var baseDescription = assets.Config.ModelPath is { } modelPath
            ? $"the weights of {Path.GetFullPath(modelPath)}"
            : $"the {assets.Config.ModelPreset} preset initialised from seed {assets.Config.Seed}";
        Report(result.Step, checkpoint, configPath, result.Written, result.MergedAdapters ? baseDescription : null);
    }

    /// <summary>--model names the base: its config gives the shape, its weights are what LoRA adapters are merged into.</summary>
    void ExportOverModelDirectory(ExportArguments arguments, string checkpoint, string modelDirectory)
    {
        CausalLM policy;
        if (TrainingCheckpoint.IsLora(checkpoint))
        {
            policy = HfModelDirectory.Load(modelDirectory);
            try
            {
                policy.ApplyLora(PeftAdapterConfig.Load(checkpoint).Options);
            }
            catch
            {
                policy.Dispose();
                throw;
            }
        }
        else
        {
            policy = new CausalLM(ModelConfig.Load(Path.Combine(modelDirectory, HfModelDirectory.ConfigFileName)));
        }

        using (policy)
        {
            var loaded = TrainingCheckpoint.Load(checkpoint, policy);
            foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
            var result = PolicyExport.WriteModel(arguments.OutputDirectory, policy, new HfExportOptions
            {
                DType = arguments.DType,
                TokenizerSource = modelDirectory,
                Overwrite = arguments.Force,
            });
            Report(loaded.State.Step, checkpoint, modelDirectory, result, policy.Lora is null ? null : $"the weights of {modelDirectory}");
        }
    }

    void ExportAdapters(ExportArguments arguments, string checkpoint)
    {
        if (!TrainingCheckpoint.IsLora(checkpoint))
            throw new ArgumentException(
                $"--adapter-only: checkpoint '{checkpoint}' holds full weights ({TrainingCheckpoint.ModelFileName}), not LoRA adapters; " +
                "export it without --adapter-only to write the whole model.");
        ModelConfig shape;
        string shapeSource;
        if (arguments.ModelDirectory is { } modelDirectory)
        {
            shape = ModelConfig.Load(Path.Combine(modelDirectory, HfModelDirectory.ConfigFileName));
            shapeSource = modelDirectory;
        }
        else
        {
            (var assets, shapeSource) = RunAssetsOf(arguments, checkpoint);
            shape = assets.Model;
        }
        var step = PolicyExport.ExportAdapters(checkpoint, shape, arguments.OutputDirectory, arguments.Force);
        output.WriteLine($"exported the LoRA adapters of step {step} of {checkpoint} (model shape from {shapeSource}) to {arguments.OutputDirectory}");
        output.WriteLine($"  PEFT adapter folder: {PeftAdapterConfig.FileName}, {PeftAdapterFiles.WeightsFileName}; load it over the base the run trained from");
    }

    void Report(long step, string checkpoint, string shapeSource, HfExportResult result, string? mergedInto)
    {
        output.WriteLine($"exported step {step} of {checkpoint} (model shape from {shapeSource}) to {result.Directory}");
        if (mergedInto is not null)
            output.WriteLine($"  LoRA adapters merged into {mergedInto}");
        output.WriteLine($"  {result.TorchDtype} weights: {string.Join(", ", result.WeightFiles)} ({result.WeightBytes / 1e6:0.0} MB)");
        output.WriteLine(result.TokenizerFiles.Count > 0
            ? $"  tokenizer files: {string.Join(", ", result.TokenizerFiles)}"
            : "  no tokenizer files copied (the run used a built-in tokenizer; pass --model DIR to copy a model's)");
    }

    /// <summary>The run's assets from --config or the run folder's config.json, and the path of the configuration used.</summary>
    static (RunAssets Assets, string ConfigPath) RunAssetsOf(ExportArguments arguments, string checkpoint)
    {
        var configPath = arguments.ConfigPath ?? FindRunConfig(checkpoint)
            ?? throw new ArgumentException(
                $"no run configuration (config.json) in the {RunFolderSearchDepth} folders above checkpoint '{checkpoint}'; " +
                "pass --config FILE (the run's configuration) or --model DIR (the model it was trained from)");
        var runConfig = RunConfigLoader.Load(configPath, RunComponentCatalog.Default);
        return (RunAssets.Create(runConfig), configPath);
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
