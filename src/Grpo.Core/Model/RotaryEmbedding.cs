using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Rotary position embedding with Hugging Face's rotate_half convention (the two halves of each head are the
/// real and imaginary parts), for arbitrary position ids so that left-padded rows start at position 0.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin of shape [B, T, headDim] in float32 for position ids [B, T].</summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor positionIds, int headDim, double theta, Llama3RopeScaling? scaling = null)
    {
        using var scope = NewDisposeScope();
        var inverseFrequencies = InverseFrequencies(headDim, theta, scaling);
        var inverse = tensor(inverseFrequencies, device: positionIds.device);
        var angles = positionIds.to_type(ScalarType.Float32).unsqueeze(-1) * inverse;
        var embedding = cat([angles, angles], -1);
        return (embedding.cos().MoveToOuterDisposeScope(), embedding.sin().MoveToOuterDisposeScope());
    }

    /// <summary>inv_freq per rotary pair, in double precision first so the table does not depend on float32 pow rounding.</summary>
    public static float[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling = null)
    {
        var result = new float[headDim / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var inverse = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            result[i] = (float)(scaling?.Scale(inverse) ?? inverse);
        }
        return result;
    }

    /// <summary>Rotates x [B, heads, T, headDim] by cos/sin [B, T, headDim].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var c = cos.unsqueeze(1).to_type(x.dtype);
        var s = sin.unsqueeze(1).to_type(x.dtype);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }

    static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        return cat([-second, first], -1);
    }
}
