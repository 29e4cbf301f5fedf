using Grpo.Core.Model;
using Grpo.Core.Tokenization;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Checks that a Hugging Face model directory holds what training needs and names the first thing missing, before
/// anything large is read: config.json, tokenizer.json, tokenizer_config.json and (for the learner) the weights.
/// </summary>
public static class HfModelFiles
{
    public const string SingleWeightsFileName = "model.safetensors";
    public const string ShardIndexFileName = "model.safetensors.index.json";

    /// <summary>The files every silo reads: the model config and the tokenizer.</summary>
    public static void RequireModelAndTokenizer(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"model_path '{directory}' is not a directory.");
        foreach (var (file, purpose) in new[]
        {
            (HfModelDirectory.ConfigFileName, "the model architecture"),
            (HfTokenizer.TokenizerFileName, "the tokenizer"),
            (HfTokenizer.ConfigFileName, "special tokens and the chat template"),
        })
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"model directory '{directory}' has no {file} ({purpose}); expected '{path}'.", path);
        }
    }

    /// <summary>The weights the learner loads: model.safetensors, or model.safetensors.index.json and its shards.</summary>
    public static void RequireWeights(string directory)
    {
        if (File.Exists(Path.Combine(directory, SingleWeightsFileName)) || File.Exists(Path.Combine(directory, ShardIndexFileName)))
            return;
        throw new FileNotFoundException(
            $"model directory '{directory}' has no weights: neither {SingleWeightsFileName} nor {ShardIndexFileName} (with its shards) is there.",
            Path.Combine(directory, SingleWeightsFileName));
    }

    /// <summary>
    /// Copies the directory's weights into <paramref name="model"/>, converting them to the model's dtype (bf16 or
    /// fp16 on disk become fp32 master weights). Every tensor is checked by name and shape before any data is read.
    /// </summary>
    public static void LoadWeightsInto(string directory, CausalLM model)
    {
        RequireWeights(directory);
        // Straight into the parameters, a tensor at a time: a 0.5B model read whole first would need another 2 GB.
        SafeTensors.LoadDirectoryInto(directory, model, directory);
    }
}
