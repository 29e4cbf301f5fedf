using Grpo.Grains.Components;
using Grpo.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Hosting.Components;

/// <summary>Reads every active silo's published component listing from membership and the silo metadata cache.</summary>
internal sealed class ClusterComponents(IClusterMembershipService membership, ISiloMetadataCache metadata) : IClusterComponents
{
    public IReadOnlyList<SiloComponents> ActiveSilos() =>
    [
        .. membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member =>
            {
                var published = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
                string[] roles =
                [
                    .. SiloRoles.HasRole(published, SiloRole.Rollout) ? ["rollout"] : Array.Empty<string>(),
                    .. SiloRoles.HasRole(published, SiloRole.Learner) ? ["learner"] : Array.Empty<string>(),
                ];
                return new SiloComponents(member.SiloAddress.ToString(), roles, ComponentListing.FromMetadata(published));
            }),
    ];
}
