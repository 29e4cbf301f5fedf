using System.Collections.Concurrent;
using Grpo.Abstractions.Contracts;
using Grpo.Grains.Telemetry;

namespace Grpo.Grains.Rollout;

/// <summary>
/// The policy image this rollout silo pulled or is pulling, one per run, for other rollout silos to fetch through this
/// silo's <see cref="Abstractions.Grains.IWeightRelayGrain"/>. Chunks are served as they arrive, before the whole image
/// is verified: every puller checks the SHA-256 of what it assembles, so a damaged chunk costs a retry, never a bad load.
/// The chunks are the pulled image's own arrays (nothing is copied), kept until the silo pulls the run's next version.
/// </summary>
/// <param name="key">This silo's relay key: its address in parsable form, which the relay grain is placed by.</param>
/// <param name="chunkWait">How long a request waits for a chunk this silo's own pull has not received yet.</param>
public sealed class SiloWeightRelay(string key, TimeSpan? chunkWait = null)
{
    /// <summary>
    /// The default <c>chunkWait</c>: well below a grain call's response timeout, so a slow upstream sends the asker on
    /// to another holder instead of timing its call out.
    /// </summary>
    public static readonly TimeSpan DefaultChunkWait = TimeSpan.FromSeconds(15);

    readonly ConcurrentDictionary<string, Held> runs = new(StringComparer.Ordinal);
    readonly TimeSpan wait = chunkWait ?? DefaultChunkWait;

    public string Key { get; } = string.IsNullOrWhiteSpace(key) ? throw new ArgumentException("a weight relay needs its silo's key.", nameof(key)) : key;

    /// <summary>The version this silo holds for <paramref name="runId"/>, complete or still arriving, or null.</summary>
    public long? HeldVersion(string runId) => runs.TryGetValue(runId, out var held) ? held.Manifest.Version : null;

    /// <summary>
    /// This silo starts pulling <paramref name="manifest"/>'s image (the learner now names it to later pullers): the
    /// image held so far is kept when it is the same one and intact, and replaced otherwise.
    /// </summary>
    public void Begin(string runId, WeightManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        runs.AddOrUpdate(runId,
            _ => new Held(manifest),
            (_, current) =>
            {
                if (current.Holds(manifest) && !current.Failed) return current;
                current.Fail();
                return new Held(manifest);
            });
    }

    /// <summary>Chunk <paramref name="index"/> of <paramref name="manifest"/>'s image arrived here (not copied, must not change).</summary>
    public void Landed(string runId, WeightManifest manifest, int index, byte[] chunk)
    {
        if (runs.TryGetValue(runId, out var held) && held.Holds(manifest)) held.Land(index, chunk);
    }

    /// <summary>The pull ended: a verified image stays to be served; one that failed is dropped, and whoever waits on it moves on.</summary>
    public void Ended(string runId, WeightManifest manifest, bool verified)
    {
        if (!runs.TryGetValue(runId, out var held) || !held.Holds(manifest)) return;
        if (verified)
        {
            held.Verified = true;
        }
        else if (!held.Verified)
        {
            held.Fail();
            runs.TryRemove(new KeyValuePair<string, Held>(runId, held));
        }
    }

    /// <summary>Chunk <paramref name="index"/> of the image of <paramref name="version"/> whose SHA-256 is <paramref name="sha256"/>, once it is here.</summary>
    /// <exception cref="InvalidOperationException">This silo does not hold that image, its pull failed, or the chunk did not arrive in time.</exception>
    public async Task<byte[]> ServeAsync(string runId, long version, string sha256, int index)
    {
        if (!runs.TryGetValue(runId, out var held) || held.Manifest.Version != version
            || !string.Equals(held.Manifest.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"relay {Key}: run '{runId}' policy version {version} (SHA-256 {sha256}) is not held here" +
                (held is null ? "." : $"; this silo holds version {held.Manifest.Version} (SHA-256 {held.Manifest.Sha256})."));
        if (index < 0 || index >= held.Manifest.ChunkCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"relay {Key}: run '{runId}' policy version {version} has chunks 0..{held.Manifest.ChunkCount - 1}, not {index}.");
        try
        {
            var chunk = await held.Chunk(index).WaitAsync(wait).ConfigureAwait(false);
            GrpoMetrics.RecordServed(runId, GrpoMetrics.WeightSources.Relay, chunk.Length);
            return chunk;
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(
                $"relay {Key}: run '{runId}' policy version {version} chunk {index} has not arrived here within {wait.TotalSeconds:0} s; ask another holder.");
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"relay {Key}: the pull of run '{runId}' policy version {version} failed here; ask another holder.");
        }
    }

    sealed class Held(WeightManifest manifest)
    {
        readonly TaskCompletionSource<byte[]>[] chunks = Enumerable.Range(0, manifest.ChunkCount)
            .Select(_ => new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();

        public WeightManifest Manifest { get; } = manifest;

        public volatile bool Verified;

        public bool Failed { get; private set; }

        public bool Holds(WeightManifest other) =>
            other.Version == Manifest.Version && other.Lineage == Manifest.Lineage && other.ChunkCount == Manifest.ChunkCount
            && string.Equals(other.Sha256, Manifest.Sha256, StringComparison.OrdinalIgnoreCase);

        public void Land(int index, byte[] chunk)
        {
            if (index >= 0 && index < chunks.Length) chunks[index].TrySetResult(chunk);
        }

        public Task<byte[]> Chunk(int index) => chunks[index].Task;

        // Cancelled rather than faulted: a waiter turns it into its own error, and nobody's unobserved fault is left behind.
        public void Fail()
        {
            Failed = true;
            foreach (var chunk in chunks) chunk.TrySetCanceled();
        }
    }
}
