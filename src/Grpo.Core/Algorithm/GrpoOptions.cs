using System.Globalization;
using Grpo.Core.Registries;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Hyper-parameters of the GRPO objective and the components it is composed of: the policy loss, the KL estimator of
/// the β penalty and the aggregation. The defaults are the DeepSeekMath/TRL GRPO objective (clip, k3, grpo).
/// </summary>
public sealed record GrpoOptions
{
    /// <summary>Lower clip width: the trust region's lower edge is <c>1 - EpsilonLow</c>.</summary>
    public float EpsilonLow { get; init; } = 0.2f;

    /// <summary>Upper clip width; <c>null</c> means the same as <see cref="EpsilonLow"/>. Setting it larger is DAPO's clip-higher.</summary>
    public float? EpsilonHigh { get; init; }

    /// <summary>Weight of the KL penalty against the reference policy; 0 needs no reference log-probs at all.</summary>
    public float Beta { get; init; } = 0.04f;

    /// <summary>The per-token policy-gradient term (<c>policy_loss</c>).</summary>
    public IPolicyLoss PolicyLoss { get; init; } = new ClipPolicyLoss();

    /// <summary>The per-token estimate of KL(πθ ‖ πref) that β weighs (<c>kl_estimator</c>).</summary>
    public IKlEstimator Kl { get; init; } = new K3KlEstimator();

    /// <summary>How per-token losses become the scalar loss (<c>loss_type</c>).</summary>
    public ILossAggregation Aggregation { get; init; } = new GrpoAggregation();

    /// <summary>
    /// The weight of each token's policy-gradient loss for the gap between the rollout's log-probs and the learner's
    /// (<c>rollout_correction</c>); it needs the objective's <see cref="BehaviourMismatch"/> inputs.
    /// </summary>
    public IRolloutCorrection RolloutCorrection { get; init; } = new NoRolloutCorrection();

    public ImportanceSampling ImportanceSampling { get; init; } = ImportanceSampling.Token;

    /// <summary>Generation budget per completion; the constant denominator of <see cref="DrGrpoAggregation"/> (unused by the others).</summary>
    public int MaxCompletionTokens { get; init; }

    /// <summary>The upper clip width actually used.</summary>
    public float EffectiveEpsilonHigh => EpsilonHigh ?? EpsilonLow;

    /// <summary>
    /// Default options whose components are built by name through <paramref name="registries"/>, each from its
    /// <see cref="ComponentArguments"/> (whose path names the configuration key in errors); a component left out keeps
    /// its default. Set the scalar options on the result with <c>with</c>.
    /// </summary>
    /// <exception cref="ComponentException">A name is not registered, or a parameter is unknown or refused.</exception>
    public static GrpoOptions FromRegistries(
        GrpoRegistries registries,
        (string Name, ComponentArguments Arguments)? policyLoss = null,
        (string Name, ComponentArguments Arguments)? aggregation = null,
        (string Name, ComponentArguments Arguments)? kl = null,
        (string Name, ComponentArguments Arguments)? rolloutCorrection = null)
    {
        ArgumentNullException.ThrowIfNull(registries);
        var defaults = new GrpoOptions();
        return defaults with
        {
            PolicyLoss = policyLoss is { } loss ? registries.PolicyLosses.Create(loss.Name, loss.Arguments) : defaults.PolicyLoss,
            Aggregation = aggregation is { } reduce ? registries.LossAggregations.Create(reduce.Name, reduce.Arguments) : defaults.Aggregation,
            Kl = kl is { } estimator ? registries.KlEstimators.Create(estimator.Name, estimator.Arguments) : defaults.Kl,
            RolloutCorrection = rolloutCorrection is { } correction
                ? registries.RolloutCorrections.Create(correction.Name, correction.Arguments)
                : defaults.RolloutCorrection,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending field when the options cannot describe a valid objective.</summary>
    public void Validate()
    {
        // ρ is always positive, so a lower width above 1 would only restate "no lower clipping" in a confusing way.
        if (!float.IsFinite(EpsilonLow) || EpsilonLow < 0f || EpsilonLow > 1f)
            throw Invalid(nameof(EpsilonLow), $"must be a finite number in [0, 1] (it is {Show(EpsilonLow)})");
        if (EpsilonHigh is { } high && (!float.IsFinite(high) || high < 0f))
            throw Invalid(nameof(EpsilonHigh), $"must be null or a finite number >= 0 (it is {Show(high)})");
        if (!float.IsFinite(Beta) || Beta < 0f)
            throw Invalid(nameof(Beta), $"must be a finite number >= 0 (it is {Show(Beta)})");
        if (PolicyLoss is null)
            throw Invalid(nameof(PolicyLoss), "is null; choose a policy loss (the default is clip)");
        if (Kl is null)
            throw Invalid(nameof(Kl), "is null; choose a KL estimator (the default is k3)");
        if (Aggregation is null)
            throw Invalid(nameof(Aggregation), "is null; choose a loss aggregation (the default is grpo)");
        if (RolloutCorrection is null)
            throw Invalid(nameof(RolloutCorrection), "is null; choose a rollout correction (the default is none)");
        if (!Enum.IsDefined(ImportanceSampling))
            throw Invalid(nameof(ImportanceSampling), $"is not a known importance-sampling level ({(int)ImportanceSampling})");
        if (MaxCompletionTokens < 0)
            throw Invalid(nameof(MaxCompletionTokens), $"must be >= 0 (it is {MaxCompletionTokens})");
        Aggregation.Validate(this);
    }

    static ArgumentException Invalid(string field, string problem) =>
        new($"GrpoOptions.{field} {problem}.", field);

    static string Show(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
