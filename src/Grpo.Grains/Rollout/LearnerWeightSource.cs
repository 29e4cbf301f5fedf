using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;

namespace Grpo.Grains.Rollout;

/// <summary>
/// Pulls published weights from the run's <see cref="ILearnerGrain"/> (key = run id). When the learner is active in this
/// silo (<paramref name="colocated"/> holds its publication) chunks are read from the publication itself, shared rather
/// than copied by a grain call, so the engine's pulled image and the learner's published one are the same arrays.
/// </summary>
public sealed class LearnerWeightSource(IGrainFactory grains, SiloPublications? colocated = null) : IWeightSource
{
    public Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken) =>
        grains.GetGrain<ILearnerGrain>(runId).GetWeightManifestAsync(minVersion, maxWait).WaitAsync(cancellationToken);

    public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
    {
        if (colocated?.Find(runId) is { } local && local.Image(version) is not null)
        {
            try
            {
                return Task.FromResult(local.Chunk(version, index));
            }
            catch (InvalidOperationException)
            {
                // Dropped between the look and the read: the learner grain gives the authoritative answer.
            }
        }
        return grains.GetGrain<ILearnerGrain>(runId).GetWeightChunkAsync(version, index).WaitAsync(cancellationToken);
    }
}
