using Grpo.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// The components a run may select: the names of Core's registries plus the interim selections of this folder for the
/// kinds those registries do not hold yet, each with its parameter check. Clients and silos validate with it, so a
/// misspelt name or parameter is refused with the file's line before a run starts.
/// </summary>
public static class RunComponentCatalog
{
    public static ComponentCatalog Default { get; } = Build(GrpoRegistries.CreateDefault());

    public static ComponentCatalog Build(GrpoRegistries registries) => ComponentCatalog.FromRegistries(registries)
        .With(TaskSelection.Kind, TaskSelection.Names, (spec, path) => TaskSelection.Read(spec, path))
        .With(RewardSelection.Kind, RewardSelection.Names, (spec, path) => RewardSelection.Read(spec, path))
        .With(ObjectiveSelection.PolicyLossKind, ObjectiveSelection.PolicyLosses, (spec, path) => ObjectiveSelection.PolicyLoss(spec, path))
        .With(ObjectiveSelection.LossAggregationKind, EnumNames.Of<LossType>(), (spec, path) => ObjectiveSelection.Aggregation(spec, path))
        .With(ObjectiveSelection.AdvantageEstimatorKind, ObjectiveSelection.AdvantageEstimators, (spec, path) => ObjectiveSelection.AdvantageScale(spec, path))
        .With(ObjectiveSelection.KlEstimatorKind, EnumNames.Of<KlEstimator>(), (spec, path) => ObjectiveSelection.Kl(spec, path));
}
