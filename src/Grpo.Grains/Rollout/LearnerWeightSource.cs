using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;

namespace Grpo.Grains.Rollout;

/// <summary>Pulls published weights from the run's <see cref="ILearnerGrain"/> (key = run id).</summary>
public sealed class LearnerWeightSource(IGrainFactory grains) : IWeightSource
{
    public Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken) =>
        grains.GetGrain<ILearnerGrain>(runId).GetWeightManifestAsync(minVersion, maxWait).WaitAsync(cancellationToken);

    public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken) =>
        grains.GetGrain<ILearnerGrain>(runId).GetWeightChunkAsync(version, index).WaitAsync(cancellationToken);
}
