using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;

namespace Grpo.Grains.Rollout;

/// <summary>
/// Published weight images held in this process, served in chunks (the image's segments, shared, not copied): for a
/// learner and rollout engines in one process (benchmarks, local runs, tests). Each run's versions are a
/// <see cref="WeightPublication"/>, as on a learner silo: the newest is kept, and an older one while an engine still
/// pulls it.
/// </summary>
public sealed class InMemoryWeightSource : IWeightSource
{
    readonly object gate = new();
    readonly Dictionary<string, WeightPublication> runs = new(StringComparer.Ordinal);

    /// <summary>
    /// Publishes <paramref name="image"/> (a <see cref="WeightSnapshot"/> image, served in its segments) as the run's
    /// version <paramref name="version"/>. The image is kept, not copied, and must not change afterwards.
    /// </summary>
    public WeightManifest Publish(string runId, long version, WeightImage image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(image);
        if (image.TotalBytes == 0) throw new ArgumentException($"run '{runId}' version {version}: the weight image is empty", nameof(image));
        lock (gate)
        {
            var run = Run(runId);
            if (run.Latest is { } latest && version <= latest)
                throw new ArgumentException($"run '{runId}': version {version} is not newer than the published {latest}", nameof(version));
            return run.Publish(version, image);
        }
    }

    public async Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        WeightPublication run;
        lock (gate) run = Run(runId);
        return await run.WaitForAsync(minVersion, maxWait, cancellationToken).ConfigureAwait(false)
            ?? throw new PolicyUnavailableException($"run '{runId}': no policy version was published within {maxWait.TotalSeconds:F0} s.");
    }

    public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
    {
        WeightPublication run;
        lock (gate) run = Run(runId);
        try
        {
            return Task.FromResult(run.Chunk(version, index));
        }
        catch (InvalidOperationException gone)
        {
            throw new KeyNotFoundException($"run '{runId}': {gone.Message}", gone);
        }
    }

    WeightPublication Run(string runId)
    {
        if (!runs.TryGetValue(runId, out var run)) runs[runId] = run = new WeightPublication();
        return run;
    }
}
