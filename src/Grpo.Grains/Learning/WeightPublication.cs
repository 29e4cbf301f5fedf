using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;

using Grpo.Grains.Rollout;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's published policy versions, served in chunks. A rollout silo always asks for the newest version at or
/// above what it needs, so once a newer version is out an older image is only wanted by a pull already under way: the
/// newest version is kept, and an older one only while some pull of it is unfinished (see <see cref="IsBeingPulled"/>).
/// Every image is a full copy of the policy (2 GB for a 0.5B model in float32), so each one kept for nothing counts.
/// An image's segments are its chunks: publishing keeps the image itself, and serving a chunk to every rollout silo
/// copies nothing more.
/// </summary>
/// <param name="pullLease">
/// How long an unfinished pull keeps its superseded version alive without asking for a chunk: a puller that died or gave
/// up mid-pull must not pin an image for ever.
/// </param>
public sealed class WeightPublication(LearnerLineage lineage = default, TimeSpan? pullLease = null, TimeProvider? time = null)
{
    /// <summary>The default <c>pullLease</c>: far longer than a chunk call takes, even retried.</summary>
    public static readonly TimeSpan DefaultPullLease = TimeSpan.FromMinutes(1);

    readonly object gate = new();
    readonly SortedDictionary<long, Published> versions = new();
    readonly TimeSpan lease = pullLease ?? DefaultPullLease;
    readonly TimeProvider clock = time ?? TimeProvider.System;
    TaskCompletionSource published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long servedBytes;

    public long? Latest { get { lock (gate) return versions.Count == 0 ? null : versions.Keys.Last(); } }

    /// <summary>The versions whose images are held now, oldest first.</summary>
    public IReadOnlyList<long> HeldVersions { get { lock (gate) { Prune(); return [.. versions.Keys]; } } }

    /// <summary>
    /// Bytes of chunks sent to rollout silos over the network so far, all versions together: the learner's egress for
    /// weights. With relays it grows by about one image per version whatever the number of rollout silos.
    /// </summary>
    public long ServedBytes { get { lock (gate) return servedBytes; } }

    /// <summary>Bytes of all images held now.</summary>
    public long HeldBytes { get { lock (gate) { Prune(); return versions.Values.Sum(v => v.Image.TotalBytes); } } }

    /// <summary>The image published as <paramref name="version"/> while it is held, for a reader in this process (it must not change it).</summary>
    public WeightImage? Image(long version)
    {
        lock (gate) return versions.TryGetValue(version, out var entry) ? entry.Image : null;
    }

    /// <summary>Publishes <paramref name="image"/> as <paramref name="version"/>; the image is kept, not copied, and must not change afterwards.</summary>
    public WeightManifest Publish(long version, WeightImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.TotalBytes == 0) throw new ArgumentException($"policy version {version}: the weight image is empty.", nameof(image));
        var manifest = new WeightManifest(version, image.TotalBytes, image.SegmentBytes, image.Segments.Count, image.Sha256()) { Lineage = lineage };
        TaskCompletionSource wake;
        lock (gate)
        {
            versions[version] = new Published(manifest, image, new int[image.Segments.Count], clock.GetUtcNow());
            Prune();
            wake = published;
            published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
        return manifest;
    }

    /// <summary>
    /// Drops every version no pull is under way for, the newest included: called when the policy has moved on and its
    /// next image is about to be captured, so that image never sits beside an outdated one nobody will ask for. Until the
    /// next <see cref="Publish"/> a manifest request simply waits for it (the new version is at least as new as asked).
    /// </summary>
    /// <returns>The bytes of the images dropped.</returns>
    public long ReleaseIdle()
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            long released = 0;
            foreach (var (version, entry) in versions.ToArray())
                if (!IsBeingPulled(entry, now))
                {
                    versions.Remove(version);
                    released += entry.Image.TotalBytes;
                }
            return released;
        }
    }

    /// <summary>
    /// The newest manifest once its version is at least <paramref name="minVersion"/>; after <paramref name="maxWait"/> the
    /// newest there is, older or not (see <see cref="Abstractions.Grains.ILearnerGrain.GetWeightManifestAsync"/>). Null when
    /// nothing was published within <paramref name="maxWait"/>. The answer counts as the start of a pull of that version.
    /// </summary>
    public async Task<WeightManifest?> WaitForAsync(long minVersion, TimeSpan maxWait, CancellationToken cancellationToken) =>
        (await WaitForAsync(minVersion, maxWait, relay: null, cancellationToken).ConfigureAwait(false))?.Manifest;

    /// <summary>
    /// As <see cref="WaitForAsync(long, TimeSpan, CancellationToken)"/> for a puller that relays the version to others
    /// under the key <paramref name="relay"/>: it is told the relays that asked for that version before it, and later
    /// pullers are told of it. Only a puller with no relay to ask counts as a pull from this publication, since the
    /// others fetch their chunks from relays (and come here only when every relay failed them, within the lease).
    /// </summary>
    public Task<WeightPullOffer?> OfferAsync(long minVersion, TimeSpan maxWait, string relay, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relay);
        return WaitForAsync(minVersion, maxWait, relay, cancellationToken);
    }

    async Task<WeightPullOffer?> WaitForAsync(long minVersion, TimeSpan maxWait, string? relay, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(maxWait);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task next;
            lock (gate)
            {
                if (versions.Count > 0 && (versions.Keys.Last() >= minVersion || patience.IsCancellationRequested))
                {
                    var newest = versions.Values.Last();
                    newest.LastActivity = clock.GetUtcNow();
                    var earlier = relay is null ? -1 : newest.Relays.IndexOf(relay);
                    string[] relays = relay is null ? [] : [.. earlier < 0 ? newest.Relays : newest.Relays.Take(earlier)];
                    if (relay is not null && earlier < 0) newest.Relays.Add(relay);
                    if (relays.Length == 0) newest.PullsStarted++;
                    return new WeightPullOffer(newest.Manifest, relays);
                }
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

    /// <summary>Chunk <paramref name="index"/> of <paramref name="version"/>, shared (not copied).</summary>
    /// <param name="remote">
    /// The chunk leaves this silo (a grain call), so it counts towards <see cref="ServedBytes"/>; false for a rollout
    /// engine in the learner's own silo, which reads it in place.
    /// </param>
    public byte[] Chunk(long version, int index, bool remote = true)
    {
        Published entry;
        lock (gate)
        {
            Prune();
            // This learner never published that version: the manifest naming it came from a learner activation since lost
            // (this one was restored from an older checkpoint, or is still restoring). Asking again cannot help; the run redoes the step.
            if (versions.Count == 0 || version > versions.Keys.Last())
                throw new PolicyUnavailableException(
                    $"policy version {version} was never published by this learner (newest is {(versions.Count == 0 ? "none" : versions.Keys.Last())}); " +
                    "the learner it came from is gone, and the run redoes the step.");
            if (!versions.TryGetValue(version, out entry!))
                throw new InvalidOperationException(
                    $"policy version {version} is no longer published (newest is {(versions.Count == 0 ? "none" : versions.Keys.Last())}); ask for the newest manifest again.");
            if (index < 0 || index >= entry.Manifest.ChunkCount)
                throw new ArgumentOutOfRangeException(nameof(index), $"policy version {version} has chunks 0..{entry.Manifest.ChunkCount - 1}, not {index}.");
            entry.Served[index]++;
            if (remote) servedBytes += entry.Image.Segments[index].Length;
            entry.LastActivity = clock.GetUtcNow();
            // Served by the last chunk of a pull: nobody may still need this version.
            if (version != versions.Keys.Last() && !IsBeingPulled(entry, entry.LastActivity))
                versions.Remove(version);
        }
        // Shared, not copied: Orleans copies or serializes what a grain returns, so no caller can change the stored chunk.
        return entry.Image.Segments[index];
    }

    /// <summary>
    /// A pull is unfinished while fewer of the version's every chunk were served than manifests of it were handed out
    /// (a chunk retried counts twice, so it can only keep a version longer, never drop it early), and it still counts
    /// as long as the version was touched within the lease.
    /// </summary>
    bool IsBeingPulled(Published entry, DateTimeOffset now) =>
        entry.PullsStarted > entry.Served.Min() && now - entry.LastActivity < lease;

    void Prune()
    {
        if (versions.Count < 2) return;
        var now = clock.GetUtcNow();
        var newest = versions.Keys.Last();
        foreach (var (version, entry) in versions.Where(v => v.Key != newest).ToArray())
            if (!IsBeingPulled(entry, now))
                versions.Remove(version);
    }

    sealed class Published(WeightManifest manifest, WeightImage image, int[] served, DateTimeOffset publishedAt)
    {
        public WeightManifest Manifest { get; } = manifest;
        public WeightImage Image { get; } = image;

        /// <summary>How often each chunk was served.</summary>
        public int[] Served { get; } = served;

        /// <summary>Manifests of this version handed out: each one is a pull that will ask for every chunk.</summary>
        public int PullsStarted { get; set; }

        /// <summary>The relay silos that asked for this version, in the order they asked.</summary>
        public List<string> Relays { get; } = [];

        public DateTimeOffset LastActivity { get; set; } = publishedAt;
    }
}
