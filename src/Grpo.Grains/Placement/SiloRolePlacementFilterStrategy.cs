using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;

namespace Grpo.Grains.Placement;

/// <summary>
/// Placement filter that keeps only silos whose metadata declares <see cref="Role"/>. Unlike Orleans'
/// RequiredMatchSiloMetadata filter it does not compare with the calling silo, so a learner-only silo can still
/// place completion grains on rollout silos. The silo side (the filter director) is registered by Grpo.Hosting.
/// </summary>
public sealed class SiloRolePlacementFilterStrategy : PlacementFilterStrategy
{
    internal const string RolePropertyKey = "role";

    /// <summary>Used by the Orleans runtime, which creates the strategy from DI and then reads the role from the grain properties.</summary>
    public SiloRolePlacementFilterStrategy()
        : base(0)
    {
    }

    public SiloRolePlacementFilterStrategy(SiloRole role, int order)
        : base(order)
    {
        Role = role;
    }

    public SiloRole Role { get; private set; }

    public override void AdditionalInitialize(GrainProperties properties)
    {
        var value = GetPlacementFilterGrainProperty(RolePropertyKey, properties);
        if (!Enum.TryParse<SiloRole>(value, ignoreCase: false, out var role) || !Enum.IsDefined(role))
        {
            throw new ArgumentException(
                $"Grain properties of {nameof(SiloRolePlacementFilterStrategy)} hold silo role '{value ?? "<missing>"}'; expected one of {string.Join(", ", Enum.GetNames<SiloRole>())}.",
                nameof(properties));
        }

        Role = role;
    }

    protected override IEnumerable<KeyValuePair<string, string>> GetAdditionalGrainProperties(
        IServiceProvider services, Type grainClass, GrainType grainType, IReadOnlyDictionary<string, string> existingProperties)
    {
        yield return new KeyValuePair<string, string>(RolePropertyKey, Role.ToString());
    }
}
