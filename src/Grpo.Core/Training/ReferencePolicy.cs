using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

public static class ReferencePolicy
{
    /// <summary>
    /// A frozen copy of the policy as it is now: the reference π_ref of the KL penalty. It never receives gradients
    /// and never changes while the policy trains. It lives on the policy's device, copied there without a trip
    /// through the CPU.
    /// </summary>
    public static CausalLM FrozenCopy(CausalLM source)
    {
        var copy = new CausalLM(source.Config);
        copy.to(source.parameters().First().device);
        using (no_grad())
        {
            var target = copy.state_dict();
            foreach (var (name, value) in source.state_dict())
                target[name].copy_(value);
        }
        foreach (var parameter in copy.parameters())
            parameter.requires_grad = false;
        copy.eval();
        return copy;
    }
}
