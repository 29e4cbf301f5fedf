using Grpo.Core.Algorithm;
using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.TestPlugin;

/// <summary>The clipped surrogate times a factor (parameter <c>factor</c>, default 0.5): a loss only this plugin knows.</summary>
[GrpoComponent("test_scaled_clip", Description = "The clip loss times a factor (a test plugin's policy loss).")]
public sealed class ScaledClipLoss(ComponentArguments arguments) : IPolicyLoss
{
    readonly ClipPolicyLoss clip = new();
    readonly double factor = arguments.GetDouble("factor", 0.5);

    public torch.Tensor PerTokenLoss(PolicyLossInputs inputs)
    {
        PluginUse.Count("test_scaled_clip");
        using var scope = torch.NewDisposeScope();
        return (clip.PerTokenLoss(inputs) * factor).MoveToOuterDisposeScope();
    }
}
