using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>The "model" submodule of a Hugging Face causal LM: embeddings, decoder layers and the final norm.</summary>
public sealed class DecoderStack : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly Embedding embed_tokens;
    readonly ModuleList<DecoderLayer> layers;
    readonly RmsNorm norm;
#pragma warning restore IDE1006
    readonly ModelConfig config;

    public DecoderStack(ModelConfig config, ScalarType projectionDtype = ScalarType.Float32) : base(nameof(DecoderStack))
    {
        this.config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new DecoderLayer(config, projectionDtype)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    public Tensor EmbeddingWeight => embed_tokens.weight!;

    /// <summary>
    /// When set, a training forward (gradients enabled, no KV cache) keeps only each decoder layer's input and recomputes
    /// the layer in backward (<see cref="CheckpointedDecoderLayer"/>): activation memory of one layer instead of all, for
    /// about one more forward pass of compute. Inference and cached generation are unaffected.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <param name="inputIds">[B, T] int64</param>
    /// <param name="positionIds">[B, T] int64</param>
    /// <param name="allowed">bool [B, 1, T, S]</param>
    /// <returns>final-normed hidden states [B, T, hidden]</returns>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, Tensor allowed, IKeyValueStore? cache)
    {
        using var scope = NewDisposeScope();
        var hidden = embed_tokens.forward(inputIds);
        var (cos, sin) = RotaryEmbedding.CosSin(positionIds, config.HeadDim, config.RopeTheta, config.RopeScaling);
        var checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();
        for (var i = 0; i < layers.Count; i++)
            hidden = checkpoint
                ? CheckpointedDecoderLayer.Run(layers[i], hidden, cos, sin, allowed, i)
                : layers[i].Forward(hidden, cos, sin, allowed, cache, i);
        return norm.forward(hidden).MoveToOuterDisposeScope();
    }
}
