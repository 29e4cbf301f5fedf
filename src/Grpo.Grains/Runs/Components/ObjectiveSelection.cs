using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// Interim adapter until Core has registries of policy losses, loss aggregations, advantage estimators and KL
/// estimators: each selection mapped by name to today's options of <see cref="GrpoObjective"/> (the names are the Core
/// enums' own, in snake_case), every parameter read through <see cref="ComponentArguments"/> so an unknown one is refused.
/// </summary>
public static class ObjectiveSelection
{
    public const string PolicyLossKind = "policy loss";
    public const string LossAggregationKind = "loss aggregation";
    public const string AdvantageEstimatorKind = "advantage estimator";
    public const string KlEstimatorKind = "KL estimator";

    /// <summary>PPO's clipped surrogate, the one policy objective <see cref="GrpoObjective"/> computes.</summary>
    public const string Clip = "clip";

    /// <summary>Group-relative advantages of <see cref="GroupAdvantages"/>.</summary>
    public const string Grpo = "grpo";

    public static IReadOnlyList<string> PolicyLosses { get; } = [Clip];

    public static IReadOnlyList<string> AdvantageEstimators { get; } = [Grpo];

    public static void PolicyLoss(ComponentSpec spec, string path = "policy_loss") =>
        Read(spec, path, PolicyLossKind, PolicyLosses, _ => Clip);

    public static LossType Aggregation(ComponentSpec spec, string path = "loss_type") =>
        Read(spec, path, LossAggregationKind, EnumNames.Of<LossType>(), _ => EnumNames.Parse<LossType>(spec.Name, path));

    public static KlEstimator Kl(ComponentSpec spec, string path = "kl_estimator") =>
        Read(spec, path, KlEstimatorKind, EnumNames.Of<KlEstimator>(), _ => EnumNames.Parse<KlEstimator>(spec.Name, path));

    /// <summary>What the grpo estimator divides the centred rewards by: its parameter scale (group, batch or none).</summary>
    public static ScaleRewards AdvantageScale(ComponentSpec spec, string path = "advantage_estimator") =>
        Read(spec, path, AdvantageEstimatorKind, AdvantageEstimators, arguments =>
        {
            var names = EnumNames.Of<ScaleRewards>();
            return EnumNames.Parse<ScaleRewards>(arguments.GetChoice("scale", names[0], [.. names]), $"{path}.scale");
        });

    private static T Read<T>(ComponentSpec spec, string path, string kind, IReadOnlyList<string> names, Func<ComponentArguments, T> select)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!names.Contains(spec.Name, StringComparer.Ordinal))
        {
            throw new ComponentException(path, $"'{spec.Name}' is not a registered {kind}; {NameSuggestions.Describe(spec.Name, names)}");
        }

        var arguments = new ComponentArguments(path, spec.ParametersAsJson());
        var selected = select(arguments);
        arguments.EnsureAllRead($"{kind} '{spec.Name}'");
        return selected;
    }
}
