using Orleans.Concurrency;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// Serves the policy chunks a rollout silo holds to the other rollout silos: one activation per silo, keyed by the
/// silo's address and placed on that silo only (it fails, rather than moving, once that silo is gone).
/// </summary>
[Alias("grpo.IWeightRelayGrain")]
public interface IWeightRelayGrain : IGrainWithStringKey
{
    /// <summary>
    /// Chunk <paramref name="index"/> of <paramref name="version"/> of the run (the image whose SHA-256 is
    /// <paramref name="sha256"/>), once this silo's own pull of it has that
    /// chunk; an error when the silo holds another version or its pull of this one failed.
    /// </summary>
    [AlwaysInterleave, Alias("GetChunk")] Task<byte[]> GetChunkAsync(string runId, long version, string sha256, int index);
}
