using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Root-mean-square layer norm as in Llama/Qwen: the statistics are computed in float32 even for half-precision
/// inputs, and the learned scale (initialised to ones) is applied after casting back.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly Parameter weight;
#pragma warning restore IDE1006
    readonly double eps;

    public RmsNorm(long size, double eps) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = nn.Parameter(ones(size));
        RegisterComponents();
    }

    public Tensor Weight => weight;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        var variance = x.pow(2).mean([-1L], keepdim: true);
        var normalised = (x * rsqrt(variance + eps)).to_type(input.dtype);
        return (weight * normalised).MoveToOuterDisposeScope();
    }
}
