using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Grouped-query self-attention with rotary embeddings and (for families with q/k norm, such as Qwen3) per-head RMS norm of queries and keys.
/// Field names are Hugging Face's so that state_dict keys match checkpoints on the Hub.
/// </summary>
public sealed class Attention : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly LoraCapableLinear q_proj;
    readonly LoraCapableLinear k_proj;
    readonly LoraCapableLinear v_proj;
    readonly LoraCapableLinear o_proj;
    readonly RmsNorm? q_norm;
    readonly RmsNorm? k_norm;
#pragma warning restore IDE1006
    readonly int heads;
    readonly int kvHeads;
    readonly int headDim;

    public Attention(ModelConfig config, ScalarType projectionDtype = ScalarType.Float32) : base(nameof(Attention))
    {
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        q_proj = new LoraCapableLinear(config.HiddenSize, heads * headDim, hasBias: config.AttentionBias, projectionDtype);
        k_proj = new LoraCapableLinear(config.HiddenSize, kvHeads * headDim, hasBias: config.AttentionBias, projectionDtype);
        v_proj = new LoraCapableLinear(config.HiddenSize, kvHeads * headDim, hasBias: config.AttentionBias, projectionDtype);
        o_proj = new LoraCapableLinear(heads * headDim, config.HiddenSize, hasBias: config.OutputProjectionBias, projectionDtype);
        if (config.QkNorm)
        {
            q_norm = new RmsNorm(headDim, config.RmsNormEps);
            k_norm = new RmsNorm(headDim, config.RmsNormEps);
        }
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, hidden]</param>
    /// <param name="cos">rotary cos [B, T, headDim]</param>
    /// <param name="sin">rotary sin [B, T, headDim]</param>
    /// <param name="allowed">bool [B, 1, T, S]: query t may attend key s (S = past + T)</param>
    /// <param name="cache">when given, the new keys/values are appended to layer <paramref name="layerIndex"/></param>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, Tensor allowed, IKeyValueStore? cache, int layerIndex)
    {
        using var scope = NewDisposeScope();
        var batch = hidden.shape[0];
        var length = hidden.shape[1];

        var q = q_proj.forward(hidden).view(batch, length, heads, headDim);
        var k = k_proj.forward(hidden).view(batch, length, kvHeads, headDim);
        var v = v_proj.forward(hidden).view(batch, length, kvHeads, headDim).transpose(1, 2);
        if (q_norm is not null && k_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm.forward(k);
        }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);

        if (cache is not null)
            (k, v) = cache.Write(layerIndex, k, v);

        var groups = heads / kvHeads;
        if (groups > 1)
        {
            // Query head h reads kv head h / groups, as Hugging Face's repeat_kv does.
            k = k.repeat_interleave(groups, dim: 1);
            v = v.repeat_interleave(groups, dim: 1);
        }

        // Scores and softmax in float32; masked entries get the dtype's minimum rather than -inf so a query
        // with nothing to attend to (a left pad) yields a finite uniform average instead of NaN.
        var scores = matmul(q.to_type(ScalarType.Float32), k.to_type(ScalarType.Float32).transpose(-2, -1)) * (1.0 / Math.Sqrt(headDim));
        scores = scores.masked_fill(allowed.logical_not(), float.MinValue);
        var weights = nn.functional.softmax(scores, -1).to_type(v.dtype);
        var context = matmul(weights, v).transpose(1, 2).reshape(batch, length, heads * headDim);
        return o_proj.forward(context).MoveToOuterDisposeScope();
    }
}
