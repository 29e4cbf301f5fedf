using Grpo.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Cluster.Tests;

[LearnerSiloPlacement]
public sealed class LearnerWhereAmIGrain(ILocalSiloDetails localSilo, ISiloMetadataCache metadataCache)
    : WhereAmIGrain(localSilo, metadataCache), ILearnerWhereAmIGrain;
