using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Rollout;

/// <summary>Where a rollout engine pulls a run's published policy weights from (the learner, in production).</summary>
public interface IWeightSource
{
    /// <summary>The newest published version of the run, at least <paramref name="minVersion"/> (waits until it exists).</summary>
    Task<WeightManifest> GetManifestAsync(string runId, long minVersion, CancellationToken cancellationToken);

    /// <summary>Chunk <paramref name="index"/> of the weight image of <paramref name="version"/>.</summary>
    Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken);
}
