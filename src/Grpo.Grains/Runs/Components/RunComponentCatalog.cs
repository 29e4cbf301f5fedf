using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// The components a run may select: every name of a host's registries, and for the components that are cheap to
/// build (losses, estimators) a check that builds them, so a bad parameter is refused with the file's line before a
/// run starts. Tasks and rewards open files and services, so their parameters are checked where a silo builds them.
/// </summary>
public static class RunComponentCatalog
{
    public static ComponentCatalog Default { get; } = Build(GrpoRegistries.CreateDefault());

    public static ComponentCatalog Build(GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(registries);
        return ComponentCatalog.FromRegistries(registries)
            .With(registries.PolicyLosses.Kind, registries.PolicyLosses.Names, Builds(registries.PolicyLosses))
            .With(registries.LossAggregations.Kind, registries.LossAggregations.Names, Builds(registries.LossAggregations))
            .With(registries.AdvantageEstimators.Kind, registries.AdvantageEstimators.Names, Builds(registries.AdvantageEstimators))
            .With(registries.KlEstimators.Kind, registries.KlEstimators.Names, Builds(registries.KlEstimators));
    }

    static Action<ComponentSpec, string> Builds<T>(ComponentRegistry<T> registry)
        where T : class => (spec, path) => registry.Create(spec.Name, new ComponentArguments(path, spec.ParametersAsJson()));
}
