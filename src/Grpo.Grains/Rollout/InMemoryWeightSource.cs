using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Rollout;

/// <summary>
/// Published weight images held in this process, served in chunks (the image's segments, shared, not copied): for a
/// learner and rollout engines in one process (benchmarks, local runs, tests). Keeps the newest
/// <paramref name="retainedVersions"/> versions per run, so an engine still pulling the previous version can finish.
/// </summary>
public sealed class InMemoryWeightSource(int retainedVersions = 2) : IWeightSource
{
    readonly object gate = new();
    readonly Dictionary<string, PublishedRun> runs = new(StringComparer.Ordinal);
    readonly int retainedVersions = retainedVersions > 0
        ? retainedVersions
        : throw new ArgumentOutOfRangeException(nameof(retainedVersions), retainedVersions, "at least one version must be retained");

    /// <summary>
    /// Publishes <paramref name="image"/> (a <see cref="WeightSnapshot"/> image, served in its segments) as the run's
    /// version <paramref name="version"/>. The image is kept, not copied, and must not change afterwards.
    /// </summary>
    public WeightManifest Publish(string runId, long version, WeightImage image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(image);
        if (image.TotalBytes == 0) throw new ArgumentException($"run '{runId}' version {version}: the weight image is empty", nameof(image));
        var manifest = new WeightManifest(version, image.TotalBytes, image.SegmentBytes, image.Segments.Count, image.Sha256());
        TaskCompletionSource published;
        lock (gate)
        {
            if (!runs.TryGetValue(runId, out var run)) runs[runId] = run = new PublishedRun();
            if (run.Versions.Count > 0 && version <= run.Versions.Keys.Max())
                throw new ArgumentException($"run '{runId}': version {version} is not newer than the published {run.Versions.Keys.Max()}", nameof(version));
            run.Versions[version] = (manifest, image);
            while (run.Versions.Count > retainedVersions) run.Versions.Remove(run.Versions.Keys.Min());
            published = run.Published;
            run.Published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        published.SetResult();
        return manifest;
    }

    public async Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(maxWait);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task next;
            lock (gate)
            {
                if (!runs.TryGetValue(runId, out var run)) runs[runId] = run = new PublishedRun();
                var newest = run.Versions.Count > 0 ? run.Versions.Keys.Max() : (long?)null;
                if (newest is { } version && (version >= minVersion || patience.IsCancellationRequested)) return run.Versions[version].Manifest;
                if (patience.IsCancellationRequested)
                    throw new PolicyUnavailableException($"run '{runId}': no policy version was published within {maxWait.TotalSeconds:F0} s.");
                next = run.Published.Task;
            }
            try
            {
                await next.WaitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Out of patience: the next round answers with the newest there is.
            }
        }
    }

    public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!runs.TryGetValue(runId, out var run) || !run.Versions.TryGetValue(version, out var entry))
                throw new KeyNotFoundException($"run '{runId}': policy version {version} is not (or no longer) published here.");
            var (manifest, image) = entry;
            if (index < 0 || index >= manifest.ChunkCount)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"run '{runId}' version {version} has chunks 0..{manifest.ChunkCount - 1}");
            return Task.FromResult(image.Segments[index]);
        }
    }

    sealed class PublishedRun
    {
        public SortedDictionary<long, (WeightManifest Manifest, WeightImage Image)> Versions { get; } = [];
        public TaskCompletionSource Published { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
