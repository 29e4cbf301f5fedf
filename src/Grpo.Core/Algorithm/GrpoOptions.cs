using System.Globalization;

namespace Grpo.Core.Algorithm;

/// <summary>Hyper-parameters of the GRPO objective (DESIGN.md, "The algorithm").</summary>
public sealed record GrpoOptions
{
    /// <summary>Lower clip width: ratios below <c>1 - EpsilonLow</c> are clipped for negative advantages.</summary>
    public float EpsilonLow { get; init; } = 0.2f;

    /// <summary>Upper clip width; <c>null</c> means the same as <see cref="EpsilonLow"/>. Setting it larger is DAPO's clip-higher.</summary>
    public float? EpsilonHigh { get; init; }

    /// <summary>Weight of the KL penalty against the reference policy; 0 needs no reference log-probs at all.</summary>
    public float Beta { get; init; } = 0.04f;

    public KlEstimator Kl { get; init; } = KlEstimator.K3;

    public LossType Loss { get; init; } = LossType.Grpo;

    public ImportanceSampling ImportanceSampling { get; init; } = ImportanceSampling.Token;

    /// <summary>Generation budget per completion; the constant denominator of <see cref="LossType.DrGrpo"/> (unused otherwise).</summary>
    public int MaxCompletionTokens { get; init; }

    /// <summary>The upper clip width actually used.</summary>
    public float EffectiveEpsilonHigh => EpsilonHigh ?? EpsilonLow;

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
        if (!Enum.IsDefined(Kl))
            throw Invalid(nameof(Kl), $"is not a known KL estimator ({(int)Kl})");
        if (!Enum.IsDefined(Loss))
            throw Invalid(nameof(Loss), $"is not a known loss type ({(int)Loss})");
        if (!Enum.IsDefined(ImportanceSampling))
            throw Invalid(nameof(ImportanceSampling), $"is not a known importance-sampling level ({(int)ImportanceSampling})");
        if (MaxCompletionTokens < 0)
            throw Invalid(nameof(MaxCompletionTokens), $"must be >= 0 (it is {MaxCompletionTokens})");
        if (Loss == LossType.DrGrpo && MaxCompletionTokens <= 0)
            throw Invalid(nameof(MaxCompletionTokens),
                $"must be > 0 when Loss is {nameof(LossType.DrGrpo)}, whose loss is divided by completions × MaxCompletionTokens (it is {MaxCompletionTokens})");
    }

    static ArgumentException Invalid(string field, string problem) =>
        new($"GrpoOptions.{field} {problem}.", field);

    static string Show(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
