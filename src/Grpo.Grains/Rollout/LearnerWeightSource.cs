using System.Collections.Concurrent;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grpo.Grains.Rollout;

/// <summary>
/// Pulls published weights for the run's <see cref="ILearnerGrain"/> (key = run id). When the learner is active in this
/// silo (<paramref name="colocated"/> holds its publication) chunks are read from the publication itself, shared rather
/// than copied by a grain call, so the engine's pulled image and the learner's published one are the same arrays.
/// With a <paramref name="relay"/>, this silo serves what it pulls to later pullers, and fetches its own chunks from the
/// relay silos that asked for the version before it, spread over them by chunk index; a relay that fails is skipped for
/// the rest of the pull, and when none is left the learner serves the chunk. An image that failed verification is
/// pulled again from the learner alone.
/// </summary>
public sealed class LearnerWeightSource(IGrainFactory grains, SiloPublications? colocated = null, SiloWeightRelay? relay = null,
    ILogger<LearnerWeightSource>? logger = null) : IWeightSource
{
    readonly ConcurrentDictionary<string, Route> routes = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<(string Run, long Version, string Sha256), bool> distrusted = new();
    readonly ILogger log = logger ?? NullLogger<LearnerWeightSource>.Instance;

    public async Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var learner = grains.GetGrain<ILearnerGrain>(runId);
        if (relay is null) return await learner.GetWeightManifestAsync(minVersion, maxWait).WaitAsync(cancellationToken).ConfigureAwait(false);
        var offer = await learner.GetWeightPullOfferAsync(minVersion, maxWait, relay.Key).WaitAsync(cancellationToken).ConfigureAwait(false);
        var manifest = offer.Manifest;
        relay.Begin(runId, manifest);
        var relays = distrusted.ContainsKey((runId, manifest.Version, manifest.Sha256)) ? [] : offer.Relays.Where(key => key != relay.Key).ToArray();
        routes[runId] = new Route(manifest, relays);
        return manifest;
    }

    public async Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken)
    {
        if (colocated?.Find(runId) is { } local && local.Image(version) is not null)
        {
            try
            {
                return local.Chunk(version, index, remote: false);
            }
            catch (InvalidOperationException)
            {
                // Dropped between the look and the read: the learner grain gives the authoritative answer.
            }
        }
        if (routes.TryGetValue(runId, out var route) && route.Manifest.Version == version)
        {
            foreach (var key in route.Order(index))
            {
                try
                {
                    return await grains.GetGrain<IWeightRelayGrain>(key).GetChunkAsync(runId, version, route.Manifest.Sha256, index)
                        .WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
                {
                    // A relay that failed once (gone, behind, or holding something else) is not asked again in this pull.
                    if (!route.Skip(key)) continue;
                    GrpoMetrics.RecordRelayFailure(runId);
                    log.LogInformation("Run {Run} policy version {Version}: relay {Relay} failed ({Error}); its chunks come from the other holders.",
                        runId, version, key, failure.Message);
                }
            }
        }
        return await grains.GetGrain<ILearnerGrain>(runId).GetWeightChunkAsync(version, index).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void ChunkLanded(string runId, WeightManifest manifest, int index, byte[] chunk) => relay?.Landed(runId, manifest, index, chunk);

    public void PullEnded(string runId, WeightManifest manifest, bool verified)
    {
        relay?.Ended(runId, manifest, verified);
        // A relay may have sent a damaged chunk: the retry of this image takes every chunk from the learner.
        if (!verified) distrusted[(runId, manifest.Version, manifest.Sha256)] = true;
        else distrusted.TryRemove((runId, manifest.Version, manifest.Sha256), out _);
    }

    /// <summary>The relays one pull may ask, each until it fails once.</summary>
    sealed class Route(WeightManifest manifest, string[] relays)
    {
        readonly ConcurrentDictionary<string, bool> skipped = new(StringComparer.Ordinal);

        public WeightManifest Manifest { get; } = manifest;

        /// <summary>The relays still trusted, starting at a different one for each chunk so the load spreads over all of them.</summary>
        public IEnumerable<string> Order(int index)
        {
            for (var step = 0; step < relays.Length; step++)
            {
                var key = relays[(index + step) % relays.Length];
                if (!skipped.ContainsKey(key)) yield return key;
            }
        }

        /// <returns>True the first time <paramref name="key"/> is skipped.</returns>
        public bool Skip(string key) => skipped.TryAdd(key, true);
    }
}
