using Grpo.Core.Model;
using Grpo.Core.Registries;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// A Hugging Face model directory: <c>config.json</c> plus <c>model.safetensors</c> or sharded weights with
/// <c>model.safetensors.index.json</c>. Parameter names map one to one onto <see cref="CausalLM"/>.
/// </summary>
public static class HfModelDirectory
{
    public const string ConfigFileName = "config.json";

    /// <summary>Loads a directory whose config.json names one of the built-in model families.</summary>
    public static CausalLM Load(string directory) => Load(directory, ModelFamilies.BuiltIn);

    /// <summary>Loads a directory whose config.json names a family registered in <paramref name="families"/> (a host's, plugins included).</summary>
    public static CausalLM Load(string directory, ComponentRegistry<IModelFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"model directory '{directory}' does not exist.");
        var configPath = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"model directory '{directory}' has no {ConfigFileName}.", configPath);
        var config = ModelConfig.Load(configPath, families);
        var model = new CausalLM(config);
        try
        {
            // Straight into the parameters: reading all tensors first would hold a second copy of the model.
            SafeTensors.LoadDirectoryInto(directory, model, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <param name="maxShardBytes">Weights beyond this size are split into shards with an index, as Hugging Face does.</param>
    public static void Save(string directory, CausalLM model, long maxShardBytes = 5L << 30)
    {
        Directory.CreateDirectory(directory);
        model.Config.Save(Path.Combine(directory, ConfigFileName));
        using var scope = NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu());
        SafeTensors.SaveSharded(directory, tensors, maxShardBytes);
    }
}
