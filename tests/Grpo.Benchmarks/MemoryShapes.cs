using Grpo.Core.Model;
using Grpo.Core.Tests.HfModels;

namespace Grpo.Benchmarks;

/// <summary>The model shapes the memory benchmark trains, built from their numbers rather than downloaded.</summary>
internal static class MemoryShapes
{
    /// <summary>Qwen2.5-0.5B's config.json: 494M parameters, tied embeddings, biased q/k/v projections.</summary>
    public static ModelConfig Qwen25HalfB() => new()
    {
        Family = new Qwen2Family(),
        VocabSize = 151936,
        HiddenSize = 896,
        IntermediateSize = 4864,
        NumHiddenLayers = 24,
        NumAttentionHeads = 14,
        NumKeyValueHeads = 2,
        HeadDim = 896 / 14,
        RmsNormEps = 1e-6,
        RopeTheta = 1000000.0,
        MaxPositionEmbeddings = 32768,
        TieWordEmbeddings = true,
        AttentionBias = true,
        BosTokenId = null,
        EosTokenIds = [151645, 151643],
    };

    /// <summary>The smoke form's shape: the same layout, tiny, with the embedding still covering the real tokenizer.</summary>
    public static ModelConfig Tiny() => TinyHfModel.Config("qwen2") with { TieWordEmbeddings = true };
}
