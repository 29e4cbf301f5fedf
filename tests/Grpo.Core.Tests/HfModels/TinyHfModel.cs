using System.IO.Compression;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tokenization;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.HfModels;

/// <summary>
/// Writes a tiny, randomly initialised Qwen2, Qwen3 or Llama model directory with the real Qwen3 tokenizer: config.json,
/// safetensors weights (optionally bf16), tokenizer.json and tokenizer_config.json, as a Hub download has them.
/// Shared by the core and cluster tests (linked into both projects).
/// </summary>
public static class TinyHfModel
{
    /// <summary>Qwen3's tokenizer vocabulary, added tokens included; the embedding must cover it.</summary>
    public const int Qwen3TokenizerVocab = 151669;

    public static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3-tokenizer");

    public static ModelConfig Config(string family) => new()
    {
        Family = family switch
        {
            "qwen2" => new Qwen2Family(),
            "llama" => new LlamaFamily(),
            _ => new Qwen3Family(),
        },
        VocabSize = Qwen3TokenizerVocab,
        HiddenSize = 16,
        IntermediateSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 4,
        AttentionBias = family == "qwen2",
        // Qwen3 small models tie the output projection to the embedding; Qwen2 here does not, so both layouts are covered.
        TieWordEmbeddings = family != "qwen2",
        MaxPositionEmbeddings = 4096,
        EosTokenIds = [151645],
        BosTokenId = family == "llama" ? 151643 : null,
    };

    /// <summary>Writes the directory and returns the model it holds (the caller disposes it).</summary>
    public static CausalLM Write(string directory, string family, long seed = 7, bool bf16 = false)
    {
        manual_seed(seed);
        var model = new CausalLM(Config(family));
        Directory.CreateDirectory(directory);
        if (bf16)
        {
            model.Config.Save(Path.Combine(directory, HfModelDirectory.ConfigFileName));
            using var scope = NewDisposeScope();
            SafeTensors.SaveSharded(directory, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.BFloat16)), 5L << 30);
        }
        else
        {
            HfModelDirectory.Save(directory, model);
        }
        CopyTokenizer(directory);
        return model;
    }

    public static void CopyTokenizer(string directory)
    {
        using (var compressed = File.OpenRead(Path.Combine(FixtureDirectory, "tokenizer.json.gz")))
        using (var gzip = new GZipStream(compressed, CompressionMode.Decompress))
        using (var output = File.Create(Path.Combine(directory, HfTokenizer.TokenizerFileName)))
        {
            gzip.CopyTo(output);
        }
        File.Copy(Path.Combine(FixtureDirectory, HfTokenizer.ConfigFileName), Path.Combine(directory, HfTokenizer.ConfigFileName), overwrite: true);
    }
}
