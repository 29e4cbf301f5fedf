using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

/// <summary>Very small configs and seeded models so model and generation tests stay fast and reproducible.</summary>
internal static class TestModels
{
    public const int Vocab = 40;

    public static ModelConfig Qwen3(int vocab = Vocab) => new()
    {
        Family = new Qwen3Family(),
        VocabSize = vocab,
        HiddenSize = 32,
        IntermediateSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 8,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 128,
        TieWordEmbeddings = true,
        EosTokenIds = [1],
    };

    public static ModelConfig Qwen2(int vocab = Vocab) => Qwen3(vocab) with
    {
        Family = new Qwen2Family(),
        AttentionBias = true,
        TieWordEmbeddings = false,
    };

    public static ModelConfig Llama(int vocab = Vocab) => Qwen3(vocab) with
    {
        Family = new LlamaFamily(),
        NumKeyValueHeads = 4,
        TieWordEmbeddings = false,
    };

    public static ModelConfig ByName(string name) => name switch
    {
        "qwen2" => Qwen2(),
        "qwen3" => Qwen3(),
        "llama" => Llama(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// A seeded model whose parameters (biases and norm scales included) are drawn with a large spread, so logits are
    /// peaked, every path (biases, qk-norm) matters, and greedy choices are far from ties.
    /// </summary>
    public static CausalLM Create(ModelConfig config, int seed = 1234)
    {
        torch.manual_seed(seed);
        var model = new CausalLM(config);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                parameter.copy_(rand_like(parameter) + 0.5);
            else
                parameter.copy_(randn_like(parameter) * 0.3);
        }
        return model;
    }

    public static Tensor Ids(params long[][] rows)
    {
        var width = rows[0].Length;
        return tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, width]);
    }
}
