using System.Globalization;
using Grpo.Core.Registries;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Group-relative advantages (DeepSeekMath, arXiv:2402.03300, §4.1.2): <c>A_i = (r_i − mean_group(r)) / (std + eps)</c>,
/// with TRL's <c>scale_rewards</c> choice of the standard deviation: <c>group</c> (each group's own, the default),
/// <c>batch</c> (the whole step's rewards, centred still on the group mean) or <c>none</c> (no division, Dr. GRPO,
/// arXiv:2503.20783). Standard deviations are Bessel-corrected as torch.std is, so the numbers equal TRL's.
/// A group of equal rewards gets exactly 0.
/// </summary>
[GrpoComponent("grpo", Description = "Group-relative (r − group mean) / (std + eps), scale = group | batch | none (the default).")]
public sealed record GrpoAdvantageEstimator : IAdvantageEstimator
{
    public const string DefaultScale = "group";
    public const float DefaultEps = 1e-4f;

    /// <summary>What divides the centred rewards, by <c>scale</c> name.</summary>
    delegate double Divisor(ReadOnlySpan<float> group, double batchStd, float eps);

    static readonly (string Name, Divisor Divide)[] Divisors =
    [
        ("group", (group, _, eps) => RewardGroups.UnbiasedStd(group) + eps),
        ("batch", (_, batchStd, eps) => batchStd + eps),
        ("none", (_, _, _) => 1.0),
    ];

    readonly string scale = DefaultScale;
    readonly float eps = DefaultEps;

    public GrpoAdvantageEstimator()
    {
    }

    /// <summary>Reads <c>scale</c> (group, batch or none) and <c>eps</c>.</summary>
    public GrpoAdvantageEstimator(ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        Scale = arguments.GetChoice("scale", DefaultScale, [.. Scales]);
        Eps = arguments.GetFloat("eps", DefaultEps);
    }

    /// <summary>The names <see cref="Scale"/> accepts.</summary>
    public static IReadOnlyList<string> Scales { get; } = [.. Divisors.Select(divisor => divisor.Name)];

    /// <summary>Which standard deviation divides the centred rewards: group, batch or none.</summary>
    public string Scale
    {
        get => scale;
        init => scale = Scales.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new ArgumentException($"scale must be one of {string.Join(", ", Scales)} (it is '{value}').", nameof(Scale));
    }

    /// <summary>Added to the standard deviation so that a tiny spread does not explode the advantages (TRL's 1e-4).</summary>
    public float Eps
    {
        get => eps;
        init => eps = float.IsFinite(value) && value >= 0f
            ? value
            : throw new ArgumentException($"eps must be a finite number >= 0 (it is {value.ToString("R", CultureInfo.InvariantCulture)}).", nameof(Eps));
    }

    public AdvantageResult Compute(float[] rewards, int groupSize)
    {
        RewardGroups.Validate(rewards, groupSize);
        var divide = Divisors.First(divisor => divisor.Name == scale).Divide;
        var batchStd = RewardGroups.UnbiasedStd(rewards);
        return RewardGroups.Centred(rewards, groupSize, group => divide(group, batchStd, eps));
    }
}
