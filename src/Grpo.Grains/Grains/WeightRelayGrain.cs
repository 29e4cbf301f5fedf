using Grpo.Abstractions.Grains;
using Grpo.Grains.Placement;
using Grpo.Grains.Rollout;

namespace Grpo.Grains;

/// <summary>This silo's <see cref="SiloWeightRelay"/> as a grain other silos can call; placed only on the silo its key names.</summary>
[KeyedSiloPlacement]
public sealed class WeightRelayGrain(SiloWeightRelay relay) : Grain, IWeightRelayGrain
{
    public Task<byte[]> GetChunkAsync(string runId, long version, string sha256, int index) =>
        relay.ServeAsync(runId, version, sha256, index);
}
