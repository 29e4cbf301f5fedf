using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's published policy versions, served in chunks. Keeps only the newest few: a rollout silo always
/// asks for the newest version at or above what it needs, so older images are never requested again.
/// An image is cut into its chunks once when published, so serving a chunk to every rollout silo copies nothing more.
/// </summary>
public sealed class WeightPublication(int chunkBytes, int keepVersions)
{
    readonly object gate = new();
    readonly SortedDictionary<long, (WeightManifest Manifest, byte[][] Chunks)> versions = new();
    TaskCompletionSource published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long? Latest { get { lock (gate) return versions.Count == 0 ? null : versions.Keys.Last(); } }

    public WeightManifest Publish(long version, byte[] image)
    {
        var manifest = new WeightManifest(version, image.LongLength, chunkBytes,
            (int)((image.LongLength + chunkBytes - 1) / chunkBytes), WeightSnapshot.Sha256(image));
        var chunks = new byte[manifest.ChunkCount][];
        for (var index = 0; index < chunks.Length; index++)
        {
            var start = (long)index * chunkBytes;
            chunks[index] = image.AsSpan((int)start, (int)Math.Min(chunkBytes, image.LongLength - start)).ToArray();
        }
        TaskCompletionSource wake;
        lock (gate)
        {
            versions[version] = (manifest, chunks);
            while (versions.Count > keepVersions) versions.Remove(versions.Keys.First());
            wake = published;
            published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
        return manifest;
    }

    /// <summary>The newest manifest with a version of at least <paramref name="minVersion"/>, waiting for it if need be.</summary>
    public async Task<WeightManifest> WaitForAsync(long minVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (versions.Count > 0 && versions.Keys.Last() >= minVersion) return versions.Values.Last().Manifest;
                next = published.Task;
            }
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public byte[] Chunk(long version, int index)
    {
        (WeightManifest Manifest, byte[][] Chunks) entry;
        lock (gate)
        {
            if (!versions.TryGetValue(version, out entry))
                throw new InvalidOperationException(
                    $"policy version {version} is no longer published (newest is {(versions.Count == 0 ? "none" : versions.Keys.Last())}); ask for the newest manifest again.");
        }
        if (index < 0 || index >= entry.Manifest.ChunkCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"policy version {version} has chunks 0..{entry.Manifest.ChunkCount - 1}, not {index}.");
        // Shared, not copied: Orleans copies or serializes what a grain returns, so no caller can change the stored chunk.
        return entry.Chunks[index];
    }
}
