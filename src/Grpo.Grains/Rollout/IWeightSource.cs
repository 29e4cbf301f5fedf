using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Rollout;

/// <summary>Where a rollout engine pulls a run's published policy weights from (the learner, in production).</summary>
public interface IWeightSource
{
    /// <summary>
    /// The run's newest published version once it is at least <paramref name="minVersion"/>, or after
    /// <paramref name="maxWait"/> the newest there is, which may be older (see <c>ILearnerGrain.GetWeightManifestAsync</c>).
    /// </summary>
    Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Chunk <paramref name="index"/> of the weight image of <paramref name="version"/>.</summary>
    Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken);

    /// <summary>
    /// Chunk <paramref name="index"/> of <paramref name="manifest"/>'s image arrived at the puller (its length checked, the
    /// image not yet verified). A source that relays weights to other silos serves it from now on; others keep nothing.
    /// </summary>
    void ChunkLanded(string runId, WeightManifest manifest, int index, byte[] chunk)
    {
    }

    /// <summary>The pull of <paramref name="manifest"/>'s image ended, its SHA-256 <paramref name="verified"/> or not (then it was not loaded).</summary>
    void PullEnded(string runId, WeightManifest manifest, bool verified)
    {
    }
}
