using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's published policy versions, served in chunks. Keeps only the newest few: a rollout silo always
/// asks for the newest version at or above what it needs, so older images are never requested again.
/// An image's segments are its chunks: publishing keeps the image itself, and serving a chunk to every rollout silo
/// copies nothing more.
/// </summary>
public sealed class WeightPublication(int keepVersions, LearnerLineage lineage = default)
{
    readonly object gate = new();
    readonly SortedDictionary<long, (WeightManifest Manifest, WeightImage Image)> versions = new();
    TaskCompletionSource published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long? Latest { get { lock (gate) return versions.Count == 0 ? null : versions.Keys.Last(); } }

    /// <summary>Publishes <paramref name="image"/> as <paramref name="version"/>; the image is kept, not copied, and must not change afterwards.</summary>
    public WeightManifest Publish(long version, WeightImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.TotalBytes == 0) throw new ArgumentException($"policy version {version}: the weight image is empty.", nameof(image));
        var manifest = new WeightManifest(version, image.TotalBytes, image.SegmentBytes, image.Segments.Count, image.Sha256()) { Lineage = lineage };
        TaskCompletionSource wake;
        lock (gate)
        {
            versions[version] = (manifest, image);
            while (versions.Count > keepVersions) versions.Remove(versions.Keys.First());
            wake = published;
            published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
        return manifest;
    }

    /// <summary>
    /// The newest manifest once its version is at least <paramref name="minVersion"/>; after <paramref name="maxWait"/> the
    /// newest there is, older or not (see <see cref="Abstractions.Grains.ILearnerGrain.GetWeightManifestAsync"/>). Null when
    /// nothing was published within <paramref name="maxWait"/>.
    /// </summary>
    public async Task<WeightManifest?> WaitForAsync(long minVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(maxWait);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task next;
            lock (gate)
            {
                if (versions.Count > 0 && (versions.Keys.Last() >= minVersion || patience.IsCancellationRequested)) return versions.Values.Last().Manifest;
                if (patience.IsCancellationRequested) return null;
                next = published.Task;
            }
            try
            {
                await next.WaitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Out of patience: the next round answers with whatever is published.
            }
        }
    }

    public byte[] Chunk(long version, int index)
    {
        (WeightManifest Manifest, WeightImage Image) entry;
        lock (gate)
        {
            if (!versions.TryGetValue(version, out entry))
                throw new InvalidOperationException(
                    $"policy version {version} is no longer published (newest is {(versions.Count == 0 ? "none" : versions.Keys.Last())}); ask for the newest manifest again.");
        }
        if (index < 0 || index >= entry.Manifest.ChunkCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"policy version {version} has chunks 0..{entry.Manifest.ChunkCount - 1}, not {index}.");
        // Shared, not copied: Orleans copies or serializes what a grain returns, so no caller can change the stored chunk.
        return entry.Image.Segments[index];
    }
}
