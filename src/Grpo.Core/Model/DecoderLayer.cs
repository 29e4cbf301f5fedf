using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>Pre-norm transformer block: x + attn(norm(x)), then x + mlp(norm(x)).</summary>
public sealed class DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly RmsNorm input_layernorm;
    readonly Attention self_attn;
    readonly RmsNorm post_attention_layernorm;
    readonly Mlp mlp;
#pragma warning restore IDE1006

    public DecoderLayer(ModelConfig config, ScalarType projectionDtype = ScalarType.Float32) : base(nameof(DecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = new Attention(config, projectionDtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new Mlp(config, projectionDtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, Tensor allowed, IKeyValueStore? cache, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var afterAttention = hidden + self_attn.Forward(input_layernorm.forward(hidden), cos, sin, allowed, cache, layerIndex);
        var output = afterAttention + mlp.forward(post_attention_layernorm.forward(afterAttention));
        return output.MoveToOuterDisposeScope();
    }
}
