namespace Grpo.Core.Model;

/// <summary>
/// Ready-made Qwen3-style architectures (qk-norm, grouped-query attention, tied embeddings) for training from scratch.
/// Sizes are quoted without the embedding, because the vocabulary comes from whichever tokenizer is used.
/// </summary>
public static class ModelPresets
{
    /// <summary>
    /// About 300 thousand non-embedding parameters (hidden 128, 2 layers, 4 heads, 2 kv heads, intermediate 256):
    /// small enough to learn 2-digit addition from a few minutes of CPU training.
    /// </summary>
    public static ModelConfig Tiny(int vocabSize) => Qwen3Style(vocabSize, hidden: 128, layers: 2, heads: 4, kvHeads: 2, intermediate: 256, maxPositions: 512);

    /// <summary>About 9.5 million non-embedding parameters (hidden 384, 6 layers, 6 heads of 64, 2 kv heads, intermediate 1024).</summary>
    public static ModelConfig Small(int vocabSize) => Qwen3Style(vocabSize, hidden: 384, layers: 6, heads: 6, kvHeads: 2, intermediate: 1024, maxPositions: 2048);

    /// <summary>
    /// At least 50 million parameters WITHOUT counting the embedding (hidden 640, 12 layers, 10 heads of 64, 2 kv heads,
    /// intermediate 1792: about 53M), so the bound holds for any vocabulary; with a 32k vocabulary the total is about 73M,
    /// with Qwen's 151,936 about 150M.
    /// </summary>
    public static ModelConfig Medium50M(int vocabSize) => Qwen3Style(vocabSize, hidden: 640, layers: 12, heads: 10, kvHeads: 2, intermediate: 1792, maxPositions: 4096);

    static ModelConfig Qwen3Style(int vocabSize, int hidden, int layers, int heads, int kvHeads, int intermediate, int maxPositions)
    {
        if (vocabSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "vocabSize must be positive");
        var config = new ModelConfig
        {
            Family = new Qwen3Family(),
            VocabSize = vocabSize,
            HiddenSize = hidden,
            IntermediateSize = intermediate,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = hidden / heads,
            RmsNormEps = 1e-6,
            RopeTheta = 10000.0,
            MaxPositionEmbeddings = maxPositions,
            TieWordEmbeddings = true,
            AttentionBias = false,
            TorchDtype = "float32",
        };
        config.Validate(nameof(ModelPresets));
        return config;
    }
}
