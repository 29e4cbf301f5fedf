using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Activation checkpointing of one decoder layer, as PyTorch's reentrant checkpoint does it: forward runs the layer
/// without recording a graph and keeps only its inputs; backward re-runs the layer with gradients on, from a detached
/// copy of the input hidden states, back-propagates the incoming gradient through that recomputation (so the layer's
/// parameter gradients accumulate as usual) and returns the input's gradient. The layer has no dropout, so the
/// recomputation is exact. Apply through <see cref="Run"/>.
/// </summary>
/// <remarks>
/// The layer's trainable parameters are passed as inputs too, though their gradients arrive through the inner backward:
/// that makes the node part of the graph when only they need gradients (a frozen embedding feeding adapter-trained
/// layers), where the hidden states alone would not require grad.
/// </remarks>
public sealed class CheckpointedDecoderLayer : autograd.SingleTensorFunction<CheckpointedDecoderLayer>
{
    const string LayerKey = "layer";
    const string IndexKey = "index";
    const string HiddenNeedsGradKey = "hiddenNeedsGrad";
    const string ArgumentCountKey = "arguments";

    public override string Name => nameof(CheckpointedDecoderLayer);

    /// <summary>The layer's output for <paramref name="hidden"/> [B, T, hidden], recomputed in backward instead of kept.</summary>
    public static Tensor Run(DecoderLayer layer, Tensor hidden, Tensor cos, Tensor sin, Tensor allowed, int layerIndex)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var arguments = new List<object> { layer, hidden, cos, sin, allowed, layerIndex };
        arguments.AddRange(layer.parameters().Where(p => p.requires_grad));
        return apply([.. arguments]);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var layer = (DecoderLayer)vars[0];
        var hidden = (Tensor)vars[1];
        var (cos, sin, allowed) = ((Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        var index = (int)vars[5];
        ctx.save_for_backward([hidden, cos, sin, allowed]);
        ctx.save_data(LayerKey, layer);
        ctx.save_data(IndexKey, index);
        ctx.save_data(HiddenNeedsGradKey, hidden.requires_grad);
        ctx.save_data(ArgumentCountKey, vars.Length);
        return layer.Forward(hidden, cos, sin, allowed, null, index);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (hidden, cos, sin, allowed) = (saved[0], saved[1], saved[2], saved[3]);
        var layer = (DecoderLayer)ctx.get_data(LayerKey);
        var index = (int)ctx.get_data(IndexKey);
        var hiddenNeedsGrad = (bool)ctx.get_data(HiddenNeedsGradKey);

        var input = hidden.detach().requires_grad_(hiddenNeedsGrad);
        using (enable_grad())
        {
            var output = layer.Forward(input, cos, sin, allowed, null, index);
            autograd.backward(output, grad_output);
        }
        // One gradient per forward argument, only the hidden states' set: the parameters' were accumulated by the inner backward.
        var gradients = Enumerable.Repeat<Tensor>(null!, (int)ctx.get_data(ArgumentCountKey)).ToList();
        if (hiddenNeedsGrad) gradients[1] = input.grad!.MoveToOuterDisposeScope();
        return gradients;
    }
}
