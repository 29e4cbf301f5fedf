using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;

namespace Grpo.Grains.Placement;

/// <summary>
/// Base of the role placement attributes: restricts a grain class to silos declaring <see cref="Role"/> and,
/// unless the class names its own placement strategy, places it at random among those silos.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public abstract class SiloRolePlacementAttribute(SiloRole role, int order)
    : PlacementFilterAttribute(new SiloRolePlacementFilterStrategy(role, order))
{
    private static readonly string RolePropertyKey =
        $"{WellKnownGrainTypeProperties.PlacementFilter}.{nameof(SiloRolePlacementFilterStrategy)}.{SiloRolePlacementFilterStrategy.RolePropertyKey}";

    public SiloRole Role { get; } = role;

    public override void Populate(IServiceProvider services, Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(grainClass);
        ArgumentNullException.ThrowIfNull(properties);

        // Both role attributes share one filter type, so a second one would silently overwrite the first role.
        if (properties.ContainsKey(RolePropertyKey))
        {
            throw new ArgumentException(
                $"Grain class {grainClass.FullName} carries more than one silo role placement attribute; a grain class can require only one silo role.",
                nameof(grainClass));
        }

        base.Populate(services, grainClass, grainType, properties);

        // Random rather than Orleans' default resource-optimized placement: completion grains are short-lived and
        // the heavy work runs in each silo's engine, so an even spread matters more than load statistics, and
        // resource-optimized placement favours the calling silo. TryAdd lets an explicit placement attribute on the
        // class win whichever order Orleans reads the attributes in (placement attributes overwrite this key).
        properties.TryAdd(WellKnownGrainTypeProperties.PlacementStrategy, nameof(RandomPlacement));
    }
}
