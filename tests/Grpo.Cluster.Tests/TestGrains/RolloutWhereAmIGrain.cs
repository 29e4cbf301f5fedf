using Grpo.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Cluster.Tests;

[RolloutSiloPlacement]
public sealed class RolloutWhereAmIGrain(ILocalSiloDetails localSilo, ISiloMetadataCache metadataCache)
    : WhereAmIGrain(localSilo, metadataCache), IRolloutWhereAmIGrain;
