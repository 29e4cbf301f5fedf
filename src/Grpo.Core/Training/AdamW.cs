using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// AdamW with decoupled weight decay (Loshchilov &amp; Hutter), the update PyTorch's torch.optim.AdamW performs.
/// Written here rather than taken from TorchSharp so its moments are plain named tensors: checkpoints store them
/// under the parameters' Hugging Face names and a resumed run continues bit for bit.
/// </summary>
public sealed class AdamW : IDisposable
{
    public const string StepKey = "step";
    public const string FirstMomentPrefix = "exp_avg.";
    public const string SecondMomentPrefix = "exp_avg_sq.";

    readonly (string Name, Parameter Parameter)[] parameters;
    readonly Dictionary<string, Tensor> firstMoments = new();
    readonly Dictionary<string, Tensor> secondMoments = new();

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> namedParameters, AdamWOptions options)
    {
        options.Validate();
        Options = options;
        parameters = namedParameters.Where(p => p.Parameter.requires_grad).ToArray();
        foreach (var (name, parameter) in parameters)
        {
            firstMoments[name] = zeros_like(parameter).DetachFromDisposeScope();
            secondMoments[name] = zeros_like(parameter).DetachFromDisposeScope();
        }
    }

    public AdamWOptions Options { get; }

    /// <summary>Number of updates applied so far; drives the bias corrections.</summary>
    public long Step { get; private set; }

    public IEnumerable<Parameter> Parameters => parameters.Select(p => p.Parameter);

    public void ZeroGrad()
    {
        foreach (var (_, parameter) in parameters)
            parameter.grad?.zero_();
    }

    /// <summary>
    /// Applies one update with the given learning rate; parameters without a gradient are left alone. Each parameter's
    /// denominator is computed in place in one temporary that is freed before the next parameter, so the update needs
    /// memory for one extra copy of the largest parameter instead of two of the whole model.
    /// </summary>
    public void Update(double learningRate)
    {
        Step++;
        var decay = 1 - learningRate * Options.WeightDecay;
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Options.Beta2, Step));
        var stepSize = learningRate / (1 - Math.Pow(Options.Beta1, Step));
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            using var scope = NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null) continue;
            var m = firstMoments[name];
            var v = secondMoments[name];
            // torch.optim.AdamW's single-tensor update, operation for operation.
            if (Options.WeightDecay != 0) parameter.mul_(decay);
            m.lerp_(grad, 1 - Options.Beta1);
            v.mul_(Options.Beta2).addcmul_(grad, grad, value: 1 - Options.Beta2);
            var denominator = v.sqrt().div_(biasCorrection2Sqrt).add_(Options.Epsilon);
            parameter.addcdiv_(m, denominator, value: -stepSize);
        }
    }

    /// <summary>The optimizer state as named tensors (copies), for checkpoints.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor> { [StepKey] = tensor(Step) };
        foreach (var (name, _) in parameters)
        {
            state[FirstMomentPrefix + name] = firstMoments[name].detach().clone();
            state[SecondMomentPrefix + name] = secondMoments[name].detach().clone();
        }
        return state;
    }

    /// <summary>Restores a state written by <see cref="StateTensors"/>; every moment must be present with the right shape.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string sourceName)
    {
        if (!state.TryGetValue(StepKey, out var step))
            throw new InvalidDataException($"{sourceName}: optimizer state lacks tensor '{StepKey}'.");
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            CopyMoment(state, FirstMomentPrefix + name, firstMoments[name], parameter, sourceName);
            CopyMoment(state, SecondMomentPrefix + name, secondMoments[name], parameter, sourceName);
        }
        Step = step.to_type(ScalarType.Int64).item<long>();
    }

    static void CopyMoment(IReadOnlyDictionary<string, Tensor> state, string key, Tensor target, Parameter parameter, string sourceName)
    {
        if (!state.TryGetValue(key, out var source))
            throw new InvalidDataException($"{sourceName}: optimizer state lacks tensor '{key}'.");
        if (!source.shape.SequenceEqual(parameter.shape))
            throw new InvalidDataException(
                $"{sourceName}: optimizer tensor '{key}' has shape [{string.Join(",", source.shape)}], the parameter has [{string.Join(",", parameter.shape)}].");
        target.copy_(source.to(target.dtype, target.device));
    }

    public void Dispose()
    {
        foreach (var t in firstMoments.Values.Concat(secondMoments.Values)) t.Dispose();
        firstMoments.Clear();
        secondMoments.Clear();
    }
}

public sealed record AdamWOptions
{
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 0.0;

    public void Validate()
    {
        if (Beta1 is < 0 or >= 1) throw new ArgumentException($"AdamW beta1 must be in [0, 1), got {Beta1}.", nameof(Beta1));
        if (Beta2 is < 0 or >= 1) throw new ArgumentException($"AdamW beta2 must be in [0, 1), got {Beta2}.", nameof(Beta2));
        if (Epsilon <= 0) throw new ArgumentException($"AdamW epsilon must be positive, got {Epsilon}.", nameof(Epsilon));
        if (WeightDecay < 0) throw new ArgumentException($"AdamW weight decay must not be negative, got {WeightDecay}.", nameof(WeightDecay));
    }
}
