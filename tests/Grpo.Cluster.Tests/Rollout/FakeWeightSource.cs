using System.Collections.Concurrent;
using System.Security.Cryptography;
using Grpo.Abstractions.Contracts;
using Grpo.Grains.Rollout;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// A weight source that chunks the images it is given itself and can damage chunks, hold back manifests and count
/// calls, so tests can check what the engine pulls and how it verifies.
/// </summary>
internal sealed class FakeWeightSource(int chunkBytes = 64 * 1024) : IWeightSource
{
    readonly ConcurrentDictionary<(string Run, long Version), byte[]> images = new();
    int manifestCalls;
    int chunkCalls;

    /// <summary>Called for every chunk served: (manifest call number, chunk index, chunk) → the bytes actually sent.</summary>
    public Func<int, int, byte[], byte[]> Tamper { get; set; } = (_, _, chunk) => chunk;

    /// <summary>Every manifest request waits for this before it is answered.</summary>
    public Task Gate { get; set; } = Task.CompletedTask;

    /// <summary>Names of the threads that made the calls, to see that pulls never run on the engine's torch thread.</summary>
    public ConcurrentBag<string> CallingThreads { get; } = [];

    /// <summary>The lineage every manifest names, as a learner names its own.</summary>
    public LearnerLineage Lineage { get; set; }

    public int ManifestCalls => Volatile.Read(ref manifestCalls);
    public int ChunkCalls => Volatile.Read(ref chunkCalls);

    public void Publish(string runId, long version, byte[] image) => images[(runId, version)] = image;

    /// <summary>Forgets every published image, as a learner lost with its silo does.</summary>
    public void Clear() => images.Clear();

    public async Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        CallingThreads.Add(Thread.CurrentThread.Name ?? "");
        Interlocked.Increment(ref manifestCalls);
        await Gate.WaitAsync(cancellationToken);
        // Like the learner after its wait: the newest there is, even when older than asked for.
        var newest = images.Keys.Where(key => key.Run == runId).Select(key => key.Version).DefaultIfEmpty(-1).Max();
        if (newest < 0) throw new InvalidOperationException($"the fake has no version of run '{runId}'");
        var image = images[(runId, newest)];
        return new WeightManifest(newest, image.Length, chunkBytes, (image.Length + chunkBytes - 1) / chunkBytes, Convert.ToHexString(SHA256.HashData(image)))
        {
            Lineage = Lineage,
        };
    }

    public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
    {
        CallingThreads.Add(Thread.CurrentThread.Name ?? "");
        Interlocked.Increment(ref chunkCalls);
        var image = images[(runId, version)];
        var offset = index * chunkBytes;
        var chunk = image.AsSpan(offset, Math.Min(chunkBytes, image.Length - offset)).ToArray();
        return Task.FromResult(Tamper(ManifestCalls, index, chunk));
    }
}
