using System.Reflection;
using Grpo.Core.Model;
using Grpo.Core.Rewards;

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
        ModelFamilies = Register(new ComponentRegistry<IModelFamily>("model family"));
    }

    /// <summary>Reward functions, selected by <c>rewards[i].name</c>.</summary>
    public ComponentRegistry<IRewardFunction> Rewards { get; }

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
        foreach (var type in assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (var attribute in type.GetCustomAttributes<GrpoComponentAttribute>())
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
