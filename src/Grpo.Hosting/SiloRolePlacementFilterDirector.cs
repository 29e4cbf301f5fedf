using Grpo.Grains.Placement;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Grpo.Hosting;

/// <summary>
/// Silo-side half of <see cref="SiloRolePlacementFilterStrategy"/>: keeps the candidate silos whose published
/// metadata declares the role. Lives here because the silo metadata cache is part of the Orleans runtime,
/// which the grain library does not reference.
/// </summary>
internal sealed class SiloRolePlacementFilterDirector(ISiloMetadataCache siloMetadataCache) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        if (filterStrategy is not SiloRolePlacementFilterStrategy roleStrategy)
        {
            throw new ArgumentException(
                $"{nameof(SiloRolePlacementFilterDirector)} was given a {filterStrategy.GetType().Name}; it only applies {nameof(SiloRolePlacementFilterStrategy)}.",
                nameof(filterStrategy));
        }

        var candidates = silos.ToArray();
        var withRole = Array.FindAll(candidates, silo => SiloRoles.HasRole(siloMetadataCache.GetSiloMetadata(silo).Metadata, roleStrategy.Role));

        // An empty list would surface as Orleans' generic "no compatible silo" error; naming the missing role is what
        // tells an operator which silo to start.
        if (withRole.Length == 0)
        {
            throw new NoSiloWithRoleException(roleStrategy.Role, target.GrainIdentity.ToString(), candidates.Length);
        }

        return withRole;
    }
}
