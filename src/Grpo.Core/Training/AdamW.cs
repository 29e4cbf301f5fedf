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

    /// <summary>Applies one update with the given learning rate; parameters without a gradient are left alone.</summary>
    public void Update(double learningRate)
    {
        Step++;
        var step = new StepScalars(
            Decay: 1 - learningRate * Options.WeightDecay,
            Beta1: Options.Beta1,
            Beta2: Options.Beta2,
            BiasCorrection2Sqrt: Math.Sqrt(1 - Math.Pow(Options.Beta2, Step)),
            Epsilon: Options.Epsilon,
            StepSize: learningRate / (1 - Math.Pow(Options.Beta1, Step)),
            WeightDecay: Options.WeightDecay != 0);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            using var scope = NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null) continue;
            var m = firstMoments[name];
            var v = secondMoments[name];
            var length = parameter.numel();
            if (length <= ChunkElements || !(parameter.is_contiguous() && grad.is_contiguous() && m.is_contiguous() && v.is_contiguous()))
            {
                Apply(parameter, grad, m, v, step);
                continue;
            }
            using var flatParameter = parameter.view(-1);
            using var flatGrad = grad.view(-1);
            using var flatM = m.view(-1);
            using var flatV = v.view(-1);
            for (long start = 0; start < length; start += ChunkElements)
            {
                using var chunkScope = NewDisposeScope();
                var size = Math.Min(ChunkElements, length - start);
                Apply(flatParameter.narrow(0, start, size), flatGrad.narrow(0, start, size), flatM.narrow(0, start, size), flatV.narrow(0, start, size), step);
            }
        }
    }

    /// <summary>
    /// Large parameters are updated a slice at a time so that the slice's weights, gradient, moments and denominator stay
    /// in the core's cache across the update's seven element-wise passes: only the first read and the last write of each
    /// tensor go to memory, where a whole-tensor pass per operation streams every tensor through memory again. 64K
    /// elements (256 KB in float32, five tensors about 1.3 MB) fit a 2 MB L2 and are still enough for libtorch to split
    /// each operation over its threads.
    /// </summary>
    internal const long ChunkElements = 1 << 16;

    readonly record struct StepScalars(double Decay, double Beta1, double Beta2, double BiasCorrection2Sqrt, double Epsilon, double StepSize, bool WeightDecay);

    /// <summary>torch.optim.AdamW's single-tensor update, operation for operation.</summary>
    static void Apply(Tensor parameter, Tensor grad, Tensor m, Tensor v, in StepScalars step)
    {
        if (step.WeightDecay) parameter.mul_(step.Decay);
        m.lerp_(grad, 1 - step.Beta1);
        v.mul_(step.Beta2).addcmul_(grad, grad, value: 1 - step.Beta2);
        var denominator = v.sqrt().div_(step.BiasCorrection2Sqrt).add_(step.Epsilon);
        parameter.addcdiv_(m, denominator, value: -step.StepSize);
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
