using Grpo.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// Mixed precision for the learner: a copy of the float32 policy (the master weights) in a lower precision that runs
/// the forward and backward passes. Its gradients are added, in float32, into the masters' gradients, which AdamW reads;
/// after each update the copy is refreshed from the masters. TorchSharp 0.107 has no autocast, hence an explicit copy.
/// </summary>
public sealed class LowPrecisionPolicy : IDisposable
{
    readonly (string Name, Parameter Master, Parameter Working)[] parameters;

    public LowPrecisionPolicy(CausalLM masters, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(masters);
        var device = masters.parameters().First().device;
        Model = new CausalLM(masters.Config);
        // A LoRA policy's working copy needs the same adapters, so that every master parameter has its mirror.
        if (masters.Lora is { } lora) Model.ApplyLora(lora);
        Model.to(dtype);
        Model.to(device);
        var working = Model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var masterParameters = masters.named_parameters().ToArray();
        foreach (var (name, _) in masterParameters)
            if (!working.ContainsKey(name))
                throw new ArgumentException(
                    $"the policy's parameter '{name}' has no counterpart in a model built from its configuration, so a {dtype} working copy cannot mirror it.",
                    nameof(masters));
        if (working.Count != masterParameters.Length)
            throw new ArgumentException(
                $"a model built from the policy's configuration has {working.Count} parameters, the policy {masterParameters.Length}.", nameof(masters));
        parameters = [.. masterParameters.Select(p => (p.name, p.parameter, working[p.name]))];
        foreach (var (_, master, copy) in parameters)
            copy.requires_grad = master.requires_grad;
        Refresh();
    }

    /// <summary>The low-precision copy that the forward and backward passes run on.</summary>
    public CausalLM Model { get; }

    /// <summary>Copies the master weights into the working copy (rounding them to its precision).</summary>
    public void Refresh()
    {
        using var noGrad = no_grad();
        foreach (var (_, master, copy) in parameters)
            copy.copy_(master);
    }

    /// <summary>
    /// Adds the working copy's gradients, widened to the masters' precision, into the masters' gradients and clears the
    /// copy's, so micro-batches accumulate in float32 rather than in the working precision.
    /// </summary>
    public void MoveGradientsToMasters()
    {
        foreach (var (_, master, copy) in parameters)
        {
            if (!master.requires_grad || copy.grad is not { } gradient) continue;
            using var noGrad = no_grad();
            EnsureGradient(master).add_(gradient);
            gradient.zero_();
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, _, copy) in parameters)
            copy.grad?.zero_();
    }

    // TorchSharp 0.107 exposes no setter for .grad: a backward pass through a zero multiple of the parameter makes
    // autograd allocate its gradient (all zeros), once, in the parameter's own dtype.
    static Tensor EnsureGradient(Parameter master)
    {
        if (master.grad is { } existing) return existing;
        using (enable_grad())
        {
            using var scope = NewDisposeScope();
            master.sum().mul(0).backward();
        }
        return master.grad ?? throw new InvalidOperationException("autograd allocated no gradient for a master weight.");
    }

    public void Dispose() => Model.Dispose();
}
