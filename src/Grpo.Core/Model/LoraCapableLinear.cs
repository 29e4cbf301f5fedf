using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// A linear projection y = x Wᵀ + b that can carry a LoRA adapter: y + scale · B(A(dropout(x))). The base parameters are
/// named <c>weight</c> and <c>bias</c> and the adapter's <c>lora_A.weight</c> [rank, in] and <c>lora_B.weight</c> [out, rank],
/// so state_dict keys are Hugging Face's without an adapter and PEFT's (minus its <c>base_model.model.</c> prefix) with one.
/// </summary>
/// <remarks>
/// The frozen base weight may be held in bfloat16 while activations are float32. It is then upcast per forward and the
/// product computed in float32. Measured on this project's 2-core CPU (libtorch 2.10, 896×896 weight, 3 runs each, CPU
/// shared with other jobs): for 512 rows (a training minibatch) upcasting took 6.7-7.2 ms against 49-50 ms for casting the
/// activations down and multiplying in bfloat16 (float32 weight: 6.1-6.6 ms); for 64 rows 2.1-5.4 ms against 6.1-27 ms;
/// only for a single row (one sequence decoding) was the activation cast cheaper, 0.4-0.8 ms against 2.4-2.9 ms. Training
/// is where bfloat16 base weights pay off and where float32 compute matters, so the weight is upcast.
/// </remarks>
public sealed class LoraCapableLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face / PEFT parameter names; TorchSharp rewrites them when the module moves.
    Parameter weight;
    Parameter? bias;
    Linear? lora_A;
    Linear? lora_B;
#pragma warning restore IDE1006
    double scale;
    double dropout;

    /// <param name="weightDtype">
    /// The dtype the weight is held in from the start (e.g. bfloat16 for a frozen LoRA base): it is drawn in float32 and
    /// converted at once, so a model never holds all its projections in float32 on the way to a narrower type.
    /// </param>
    public LoraCapableLinear(long inFeatures, long outFeatures, bool hasBias, ScalarType weightDtype = ScalarType.Float32) : base(nameof(LoraCapableLinear))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        // The same draws, in the same order, as nn.Linear's constructor, so a seeded model keeps initialising to the same
        // numbers it did when the projections were nn.Linear (the run's seed must rebuild the same base on every silo).
        weight = empty(outFeatures, inFeatures).AsParameter();
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (weightDtype != ScalarType.Float32)
        {
            using var noGrad = no_grad();
            var drawn = weight;
            weight = new Parameter(drawn.detach().to_type(weightDtype), requires_grad: drawn.requires_grad);
            drawn.Dispose();
        }
        if (hasBias)
        {
            bias = empty(outFeatures).AsParameter();
            var bound = inFeatures > 0 ? 1 / Math.Sqrt(inFeatures) : 0;
            nn.init.uniform_(bias, -bound, bound);
        }
        RegisterComponents();
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter Weight => weight;

    public Parameter? Bias => bias;

    public bool HasAdapter => lora_A is not null;

    /// <summary>The adapter's A [rank, in]; null without an adapter.</summary>
    public Parameter? LoraA => lora_A?.weight;

    /// <summary>The adapter's B [out, rank]; null without an adapter.</summary>
    public Parameter? LoraB => lora_B?.weight;

    /// <summary>False inside <see cref="CausalLM.AdaptersDisabled"/>: the forward is then the base projection alone.</summary>
    internal bool AdapterActive { get; set; } = true;

    /// <summary>The adapter's product is folded into <see cref="Weight"/> (see <see cref="CausalLM.MergeAdapters"/>).</summary>
    internal bool Merged { get; private set; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = nn.functional.linear(input, AsInput(weight, input), bias is null ? null : AsInput(bias, input));
        if (lora_A is not null && lora_B is not null && AdapterActive && !Merged)
        {
            var adapterInput = dropout > 0 ? nn.functional.dropout(input, dropout, training) : input;
            var low = nn.functional.linear(adapterInput, AsInput(lora_A.weight, input));
            output = output + nn.functional.linear(low, AsInput(lora_B.weight, input)) * scale;
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>W + scale · B A in float32 (W alone without an adapter): the weight a merged export holds.</summary>
    public Tensor MergedWeight()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var merged = weight.detach().to_type(ScalarType.Float32);
        if (lora_A is not null && lora_B is not null && !Merged)
            merged = merged + Delta();
        return merged.contiguous().clone().MoveToOuterDisposeScope();
    }

    /// <summary>Adds scale · B A to the float32 base weight in place, so the forward costs one matmul; no-op without an adapter.</summary>
    internal void Merge()
    {
        if (lora_A is null || Merged) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        weight.add_(Delta());
        Merged = true;
    }

    /// <summary>Subtracts the adapter's product again; float32 rounding leaves the base within an ulp or so of what it was.</summary>
    internal void Unmerge()
    {
        if (!Merged) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        weight.sub_(Delta());
        Merged = false;
    }

    /// <summary>scale · B A [out, in] in float32.</summary>
    Tensor Delta() =>
        matmul(lora_B!.weight.detach().to_type(ScalarType.Float32), lora_A!.weight.detach().to_type(ScalarType.Float32)) * scale;

    /// <summary>Adds A (kaiming-uniform, as PEFT initialises it) and B (zeros), so the output is unchanged until B trains.</summary>
    internal void AddAdapter(int rank, double adapterScale, double adapterDropout)
    {
        if (lora_A is not null)
            throw new InvalidOperationException("this projection already has a LoRA adapter");
        var device = weight.device;
        // nn.Linear's own initialisation of a [rank, in] weight is PEFT's: kaiming_uniform_ with a = sqrt(5).
        lora_A = nn.Linear(InFeatures, rank, hasBias: false);
        lora_B = nn.Linear(rank, OutFeatures, hasBias: false);
        using (no_grad())
            nn.init.zeros_(lora_B.weight);
        lora_A.to(device);
        lora_B.to(device);
        register_module(nameof(lora_A), lora_A);
        register_module(nameof(lora_B), lora_B);
        scale = adapterScale;
        dropout = adapterDropout;
    }

    /// <summary>Converts the (frozen) base weight to <paramref name="dtype"/>; the bias is tiny and stays as it is.</summary>
    /// <summary>
    /// Sets the weight to N(0, <paramref name="std"/>) drawn in float32, whatever dtype it is held in, so a model built
    /// with narrower weights gets exactly the rounded values of one built in float32.
    /// </summary>
    internal void InitialiseWeightNormal(double std)
    {
        using var noGrad = no_grad();
        if (weight.dtype == ScalarType.Float32)
        {
            nn.init.normal_(weight, 0.0, std);
            return;
        }
        using var drawn = empty(weight.shape, ScalarType.Float32);
        nn.init.normal_(drawn, 0.0, std);
        weight.copy_(drawn);
    }

    internal void HoldBaseWeightIn(ScalarType dtype)
    {
        if (weight.dtype == dtype) return;
        Parameter converted;
        using (no_grad())
            converted = new Parameter(weight.detach().to_type(dtype), requires_grad: weight.requires_grad);
        var old = weight;
        weight = converted;
        ConditionallyRegisterParameter(nameof(weight), weight);
        old.Dispose();
    }

    static Tensor AsInput(Tensor parameter, Tensor input) =>
        parameter.dtype == input.dtype ? parameter : parameter.to_type(input.dtype);
}
