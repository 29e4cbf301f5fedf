using System.Security.Cryptography;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Resilience;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Grpo.Grains.Rollout;

/// <summary>
/// Fetches a run's newest published weights from an <see cref="IWeightSource"/>, a few chunks at a time, and checks
/// the manifest, every chunk's length, the total length and the SHA-256 before anyone may load them. A failed check is
/// retried once with a fresh pull, because a chunk can be damaged in transit; a second failure is an error.
/// The checksum is computed while the chunks are still arriving (in order, as each prefix of the image completes), so
/// verifying adds little time after the last chunk. The chunks received become the image's segments: the image is never
/// copied into one array, so it may exceed 2 GiB. Each manifest and chunk call that fails in transit is retried under
/// <see cref="GrpoResilience.WeightCalls"/>.
/// </summary>
internal sealed class WeightPuller(IWeightSource source, int parallelism, ILogger? logger = null)
{
    readonly ResiliencePipeline calls = GrpoResilience.WeightCalls(logger ?? NullLogger.Instance);

    /// <summary>
    /// Pulls the newest version once it is at least <paramref name="minVersion"/>, or after <paramref name="maxWait"/> the
    /// newest there is (which may be older: the caller checks). Null when the newest is <paramref name="loaded"/> already.
    /// </summary>
    public async Task<PulledWeights?> PullAsync(string runId, long minVersion, TimeSpan maxWait, (long Version, LearnerLineage Lineage)? loaded, CancellationToken cancellationToken)
    {
        InvalidDataException? firstFailure = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var manifest = await calls.ExecuteAsync(
                    async token => await source.GetManifestAsync(runId, minVersion, maxWait, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"run '{runId}': the weight source returned no manifest for policy version >= {minVersion}.");
            if (loaded is { } current && current.Version == manifest.Version && current.Lineage == manifest.Lineage) return null;
            try
            {
                return new PulledWeights(manifest.Version, manifest.Lineage, await FetchVerifiedAsync(runId, manifest, cancellationToken).ConfigureAwait(false));
            }
            catch (InvalidDataException failure) when (attempt == 1)
            {
                firstFailure = failure;
            }
            catch (InvalidDataException failure)
            {
                throw new InvalidDataException(
                    $"run '{runId}' policy version {manifest.Version}: the pulled weights failed verification twice, so they were not loaded. " +
                    $"First attempt: {firstFailure!.Message} Second attempt: {failure.Message}", failure);
            }
        }
        throw new InvalidOperationException("unreachable: the second attempt either returns or throws.");
    }

    /// <summary>The image, checked against the manifest; the source learns whether it passed (a relay serves only an image that may still pass).</summary>
    async Task<WeightImage> FetchVerifiedAsync(string runId, WeightManifest manifest, CancellationToken cancellationToken)
    {
        try
        {
            CheckManifest(runId, manifest);
            var (image, sha) = await FetchAsync(runId, manifest, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"run '{runId}' policy version {manifest.Version}: the weight image's SHA-256 is {sha} but the manifest says {manifest.Sha256}.");
            source.PullEnded(runId, manifest, verified: true);
            GrpoMetrics.RecordPull(runId, GrpoMetrics.PullOutcomes.Verified);
            return image;
        }
        catch (Exception failure)
        {
            source.PullEnded(runId, manifest, verified: false);
            // A pull the engine called off (its run ended, the silo stops) is no failure of the distribution.
            if (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                GrpoMetrics.RecordPull(runId, GrpoMetrics.PullOutcomes.Failed);
            throw;
        }
    }

    /// <summary>The image and its SHA-256 (hex), hashed chunk by chunk in order while later chunks are still being fetched.</summary>
    async Task<(WeightImage Image, string Sha256)> FetchAsync(string runId, WeightManifest manifest, CancellationToken cancellationToken)
    {
        var chunks = new byte[manifest.ChunkCount][];
        var landed = Enumerable.Range(0, manifest.ChunkCount).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hashing = Task.Run(async () =>
        {
            for (var index = 0; index < landed.Length; index++)
            {
                await landed[index].Task.ConfigureAwait(false);
                hash.AppendData(chunks[index]);
            }
        }, CancellationToken.None);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        try
        {
            await FetchChunksAsync(runId, manifest, chunks, landed, options).ConfigureAwait(false);
        }
        catch
        {
            foreach (var chunk in landed) chunk.TrySetCanceled(CancellationToken.None);
            try { await hashing.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            throw;
        }
        await hashing.ConfigureAwait(false);
        return (new WeightImage(chunks, manifest.ChunkBytes), Convert.ToHexString(hash.GetHashAndReset()));
    }

    async Task FetchChunksAsync(string runId, WeightManifest manifest, byte[][] chunks, TaskCompletionSource[] landed, ParallelOptions options)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, manifest.ChunkCount), options, async (index, token) =>
        {
            var chunk = await calls.ExecuteAsync(
                async retryToken => await source.GetChunkAsync(runId, manifest.Version, index, retryToken).ConfigureAwait(false), token).ConfigureAwait(false);
            var expected = Math.Min(manifest.ChunkBytes, manifest.TotalBytes - (long)index * manifest.ChunkBytes);
            if (chunk is null || chunk.Length != expected)
                throw new InvalidDataException(
                    $"run '{runId}' policy version {manifest.Version}: chunk {index} has {chunk?.Length.ToString() ?? "no"} bytes, expected {expected} " +
                    $"(total {manifest.TotalBytes} bytes in {manifest.ChunkCount} chunks of {manifest.ChunkBytes}).");
            chunks[index] = chunk;
            landed[index].SetResult();
            source.ChunkLanded(runId, manifest, index, chunk);
        }).ConfigureAwait(false);
    }

    static void CheckManifest(string runId, WeightManifest manifest)
    {
        string? problem = null;
        if (manifest.TotalBytes <= 0)
            problem = $"TotalBytes = {manifest.TotalBytes} must be positive";
        else if (manifest.ChunkBytes <= 0)
            problem = $"ChunkBytes = {manifest.ChunkBytes} must be positive";
        else if (manifest.ChunkCount != (manifest.TotalBytes + manifest.ChunkBytes - 1) / manifest.ChunkBytes)
            problem = $"ChunkCount = {manifest.ChunkCount} does not cover TotalBytes = {manifest.TotalBytes} in chunks of {manifest.ChunkBytes}";
        else if (string.IsNullOrWhiteSpace(manifest.Sha256))
            problem = "Sha256 is empty";
        if (problem is not null)
            throw new InvalidDataException($"run '{runId}' policy version {manifest.Version}: the weight manifest's {problem}.");
    }
}
