using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>SwiGLU feed-forward block: down(silu(gate(x)) * up(x)), no biases.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly LoraCapableLinear gate_proj;
    readonly LoraCapableLinear up_proj;
    readonly LoraCapableLinear down_proj;
#pragma warning restore IDE1006

    public Mlp(ModelConfig config, ScalarType projectionDtype = ScalarType.Float32) : base(nameof(Mlp))
    {
        gate_proj = new LoraCapableLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, projectionDtype);
        up_proj = new LoraCapableLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, projectionDtype);
        down_proj = new LoraCapableLinear(config.IntermediateSize, config.HiddenSize, hasBias: false, projectionDtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input);
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}
