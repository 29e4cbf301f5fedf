using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Grpo.Cluster.Tests;

public abstract class WhereAmIGrain(ILocalSiloDetails localSilo, ISiloMetadataCache metadataCache) : Grain, IWhereAmIGrain
{
    public Task<string> SiloAddress() => Task.FromResult(localSilo.SiloAddress.ToString());

    public Task<Dictionary<string, string>> SiloMetadata() =>
        Task.FromResult(metadataCache.GetSiloMetadata(localSilo.SiloAddress).Metadata.ToDictionary(StringComparer.Ordinal));
}
