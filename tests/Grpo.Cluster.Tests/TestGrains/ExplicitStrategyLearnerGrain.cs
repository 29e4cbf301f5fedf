using Grpo.Grains.Placement;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Cluster.Tests;

/// <summary>Checks that a placement strategy named on the class wins over the role attribute's random default.</summary>
[ActivationCountBasedPlacement]
[LearnerSiloPlacement]
public sealed class ExplicitStrategyLearnerGrain(ILocalSiloDetails localSilo, ISiloMetadataCache metadataCache)
    : WhereAmIGrain(localSilo, metadataCache), IExplicitStrategyLearnerGrain;
