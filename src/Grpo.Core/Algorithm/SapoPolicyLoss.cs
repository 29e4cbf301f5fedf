using System.Globalization;
using Grpo.Core.Registries;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Algorithm;

/// <summary>
/// SAPO, Soft Adaptive Policy Optimization (Gao et al., Qwen team 2025, arXiv:2511.20347): the hard clip is replaced
/// by a sigmoid gate, <c>loss_t = −f_τ(ρ_t)·A</c> with <c>f_τ(ρ) = σ(τ(ρ−1))·4/τ</c> and τ = <see cref="TauPositive"/>
/// when A &gt; 0, <see cref="TauNegative"/> otherwise, as veRL's <c>compute_policy_loss_sapo</c> and TRL's
/// <c>loss_type="sapo"</c>. The gradient is <c>−A·w(ρ)·ρ·∇logπθ</c> with <c>w(ρ) = 4σ(τ(ρ−1))(1−σ(τ(ρ−1)))</c>:
/// w = 1 at ρ = 1, so on-policy tokens get exactly the clipped surrogate's gradient, and it decays smoothly (faster for
/// larger τ) as ρ leaves 1 instead of dropping to 0 at the clip edge. The paper's defaults τ_pos = 1, τ_neg = 1.05 make
/// negative-advantage tokens decay faster, since pushing a sampled token down raises many unsampled ones.
/// The trust-region widths ε are not used. The paper and veRL aggregate with the sequence mean of token means
/// (<c>loss_type</c> grpo).
/// </summary>
[GrpoComponent("sapo", Description = "Qwen SAPO: soft sigmoid gate −σ(τ(ρ−1))·4/τ·A instead of the hard clip (tau_pos, tau_neg).")]
public sealed record SapoPolicyLoss : IPolicyLoss
{
    public const double DefaultTauPositive = 1.0;
    public const double DefaultTauNegative = 1.05;

    // exp of a log-ratio beyond ±20 is outside any useful gate range; veRL clamps there so that an overflowing ρ cannot
    // turn the vanishing gate derivative into inf · 0 = NaN in the backward pass.
    const double LogRatioLimit = 20.0;

    readonly double tauPositive = DefaultTauPositive;
    readonly double tauNegative = DefaultTauNegative;

    public SapoPolicyLoss()
    {
    }

    /// <summary>Reads <c>tau_pos</c> and <c>tau_neg</c>, the temperatures of the gate for positive and non-positive advantages.</summary>
    public SapoPolicyLoss(ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        TauPositive = arguments.GetDouble("tau_pos", DefaultTauPositive);
        TauNegative = arguments.GetDouble("tau_neg", DefaultTauNegative);
    }

    /// <summary>Gate temperature for tokens with A &gt; 0 (<c>tau_pos</c>); larger decays the gradient faster away from ρ = 1.</summary>
    public double TauPositive
    {
        get => tauPositive;
        init => tauPositive = Positive(value, "tau_pos", nameof(TauPositive));
    }

    /// <summary>Gate temperature for tokens with A ≤ 0 (<c>tau_neg</c>).</summary>
    public double TauNegative
    {
        get => tauNegative;
        init => tauNegative = Positive(value, "tau_neg", nameof(TauNegative));
    }

    public Tensor PerTokenLoss(PolicyLossInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var advantages = inputs.Advantages;
        var ratio = inputs.LogRatio.clamp(-LogRatioLimit, LogRatioLimit).exp();
        var tau = where(advantages.gt(0.0),
            tensor(TauPositive, advantages.dtype, advantages.device),
            tensor(TauNegative, advantages.dtype, advantages.device));
        var gate = sigmoid(tau * (ratio - 1.0)) * (4.0 / tau);
        return -gate * advantages;
    }

    static double Positive(double value, string parameter, string property) =>
        double.IsFinite(value) && value > 0.0
            ? value
            : throw new ArgumentException(
                $"SAPO's {parameter} must be a finite number > 0 (it is {value.ToString("R", CultureInfo.InvariantCulture)}).", property);
}
