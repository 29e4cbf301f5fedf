using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// The components a run may select: every name of a host's registries, each with a check that builds it, so a bad
/// parameter is refused with the file's line before a run starts. A task is built as the run would build it, its data
/// file read when it is there (a file only the silos have is read where a silo builds the run); a reward that needs
/// what only a run offers (the task, the tokenizer) is checked as far as it gets without it, and fully where a silo
/// builds the run.
/// </summary>
public static class RunComponentCatalog
{
    public static ComponentCatalog Default { get; } = Build(GrpoRegistries.CreateDefault());

    public static ComponentCatalog Build(GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(registries);
        return ComponentCatalog.FromRegistries(registries)
            .With(registries.Tasks.Kind, registries.Tasks.Names, Builds(registries.Tasks))
            .With(registries.Rewards.Kind, registries.Rewards.Names, BuildsWithoutWeight(registries.Rewards))
            .With(registries.PolicyLosses.Kind, registries.PolicyLosses.Names, Builds(registries.PolicyLosses))
            .With(registries.LossAggregations.Kind, registries.LossAggregations.Names, Builds(registries.LossAggregations))
            .With(registries.AdvantageEstimators.Kind, registries.AdvantageEstimators.Names, Builds(registries.AdvantageEstimators))
            .With(registries.KlEstimators.Kind, registries.KlEstimators.Names, Builds(registries.KlEstimators))
            .With(registries.RolloutCorrections.Kind, registries.RolloutCorrections.Names, Builds(registries.RolloutCorrections));
    }

    // Seed and held-out size do not change whether a task's parameters and data are usable.
    static readonly ComponentServices CheckServices = new ComponentServices().With(new TaskSettings(0, 0));

    static Action<ComponentSpec, string> Builds<T>(ComponentRegistry<T> registry)
        where T : class => (spec, path) => Check(registry, spec, path);

    /// <summary>The weight of a reward entry is the run's to read (the validator checks it), not the reward's.</summary>
    static Action<ComponentSpec, string> BuildsWithoutWeight(ComponentRegistry<IRewardFunction> registry) =>
        (spec, path) => Check(registry, RewardWeights.WithoutWeight(spec), path);

    static bool IsMissingFile(Exception? e) =>
        e is not null && (e is FileNotFoundException or DirectoryNotFoundException || IsMissingFile(e.InnerException));

    static void Check<T>(ComponentRegistry<T> registry, ComponentSpec spec, string path)
        where T : class
    {
        try
        {
            (registry.Create(spec.Name, new ComponentArguments(path, spec.ParametersAsJson(), CheckServices)) as IDisposable)?.Dispose();
        }
        catch (MissingComponentServiceException)
        {
            // Needs what only a run offers; the silo that builds the run checks the rest.
        }
        catch (ComponentException e) when (IsMissingFile(e))
        {
            // A data file this process cannot see: the silos that build the run read it and report it.
        }
    }
}
