using System.Reflection;
using Grpo.Core.Algorithm;

using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.Core.Registries;

/// <summary>
/// Every registry of named components a run configuration can select: one set of names for the whole system. A host
/// starts from <see cref="CreateDefault"/> (the built-ins, found by their <see cref="GrpoComponentAttribute"/>) and
/// adds its own, in code or from plugin assemblies; each run builds its components from the host's set.
/// </summary>
public sealed class GrpoRegistries
{
    readonly List<object> registries = [];

    public GrpoRegistries()
    {
        Rewards = Register(new ComponentRegistry<IRewardFunction>("reward"));
        Tasks = Register(new ComponentRegistry<IPromptTask>("task"));
        PolicyLosses = Register(new ComponentRegistry<IPolicyLoss>("policy loss"));
        LossAggregations = Register(new ComponentRegistry<ILossAggregation>("loss aggregation"));
        AdvantageEstimators = Register(new ComponentRegistry<IAdvantageEstimator>("advantage estimator"));
        KlEstimators = Register(new ComponentRegistry<IKlEstimator>("KL estimator"));
        RolloutCorrections = Register(new ComponentRegistry<IRolloutCorrection>("rollout correction"));
        ModelFamilies = Register(new ComponentRegistry<IModelFamily>("model family"));
    }

    /// <summary>Reward functions, selected by <c>rewards[i].name</c>.</summary>
    public ComponentRegistry<IRewardFunction> Rewards { get; }

    /// <summary>Prompt sources with their answer checks, selected by <c>task.name</c>.</summary>
    public ComponentRegistry<IPromptTask> Tasks { get; }

    /// <summary>Per-token policy-gradient terms (clip, cispo, sapo), selected by <c>policy_loss</c>.</summary>
    public ComponentRegistry<IPolicyLoss> PolicyLosses { get; }

    /// <summary>Reductions of per-token losses to the loss (grpo, bnpo, dapo, dr_grpo), selected by <c>loss_type</c>.</summary>
    public ComponentRegistry<ILossAggregation> LossAggregations { get; }

    /// <summary>Rewards to advantages (grpo, rloo, reinforce_pp_baseline), selected by <c>advantage_estimator</c>.</summary>
    public ComponentRegistry<IAdvantageEstimator> AdvantageEstimators { get; }

    /// <summary>Per-token KL estimators for the β penalty (k1, k2, k3, low_var_kl), selected by <c>kl_estimator</c>.</summary>
    public ComponentRegistry<IKlEstimator> KlEstimators { get; }

    /// <summary>Corrections for the rollout/learner log-prob mismatch (none, tis, mis), selected by <c>rollout_correction</c>.</summary>
    public ComponentRegistry<IRolloutCorrection> RolloutCorrections { get; }

    /// <summary>Model families, selected by <c>architectures[0]</c> of a model directory's config.json (<c>Qwen2ForCausalLM</c>, …).</summary>
    public ComponentRegistry<IModelFamily> ModelFamilies { get; }

    /// <summary>The registries in a fixed order, for listings and assembly scans.</summary>
    public IReadOnlyList<object> All => registries;

    /// <summary>Assemblies whose components were added by <see cref="AddFromAssembly"/>.</summary>
    public IReadOnlyList<Assembly> ScannedAssemblies => scanned;

    readonly List<Assembly> scanned = [];

    /// <summary>A new set holding the built-in components of this library.</summary>
    public static GrpoRegistries CreateDefault() => new GrpoRegistries().AddFromAssembly(typeof(GrpoRegistries).Assembly);

    /// <summary>
    /// Registers every public or internal class of <paramref name="assembly"/> that carries <see cref="GrpoComponentAttribute"/>,
    /// in the registry of each component interface it implements. A class that carries the attribute but fits no registry
    /// is refused, naming it, rather than silently left out.
    /// </summary>
    public GrpoRegistries AddFromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        // Registered in name order, so listings and "known: ..." messages read the same whatever the class names.
        var marked = assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract)
            .SelectMany(type => type.GetCustomAttributes<GrpoComponentAttribute>().Select(attribute => (Type: type, Attribute: attribute)))
            .OrderBy(pair => pair.Attribute.Name, StringComparer.Ordinal)
            .ThenBy(pair => pair.Type.FullName, StringComparer.Ordinal);
        foreach (var (type, attribute) in marked)
        {
            var targets = registries.Where(registry => ComponentType(registry).IsAssignableFrom(type)).ToArray();
            if (targets.Length == 0)
            {
                throw new ArgumentException(
                    $"{type.FullName} in {assembly.GetName().Name} is marked [GrpoComponent(\"{attribute.Name}\")] but implements none of " +
                    string.Join(", ", registries.Select(r => ComponentType(r).Name)) + ".");
            }

            foreach (var registry in targets)
            {
                registry.GetType().GetMethod(nameof(ComponentRegistry<object>.Add), [typeof(string), typeof(Type), typeof(string)])!
                    .Invoke(registry, [attribute.Name, type, attribute.Description]);
            }
        }

        scanned.Add(assembly);
        return this;
    }

    /// <summary>Every registered name by registry kind, for help text and the generated reference.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Listing() =>
        registries.ToDictionary(Kind, registry => (IReadOnlyList<string>)registry.GetType().GetProperty(nameof(ComponentRegistry<object>.Names))!.GetValue(registry)!);

    ComponentRegistry<TComponent> Register<TComponent>(ComponentRegistry<TComponent> registry)
        where TComponent : class
    {
        registries.Add(registry);
        return registry;
    }

    static Type ComponentType(object registry) => registry.GetType().GetGenericArguments()[0];

    static string Kind(object registry) => (string)registry.GetType().GetProperty(nameof(ComponentRegistry<object>.Kind))!.GetValue(registry)!;
}
