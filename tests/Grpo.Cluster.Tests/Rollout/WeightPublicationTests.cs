using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class WeightPublicationTests
{
    const string Run = "publication-run";

    [Fact]
    public void The_images_segments_are_served_as_its_chunks_with_the_images_checksum()
    {
        var publication = new WeightPublication();
        var image = WeightImage.Copy(Enumerable.Range(1, 10).Select(i => (byte)i).ToArray(), segmentBytes: 4);

        var manifest = publication.Publish(3, image);

        Assert.Equal((10L, 4, 3), (manifest.TotalBytes, manifest.ChunkBytes, manifest.ChunkCount));
        var chunks = Enumerable.Range(0, manifest.ChunkCount).Select(i => publication.Chunk(3, i)).ToArray();
        Assert.Equal([4, 4, 2], chunks.Select(c => c.Length));
        var rebuilt = chunks.SelectMany(c => c).ToArray();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i), rebuilt);
        Assert.Equal(manifest.Sha256, WeightImage.Copy(rebuilt, 7).Sha256());
        // Kept, not copied: the publication holds one copy of each version.
        Assert.Same(image.Segments[1], publication.Chunk(3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => publication.Chunk(3, 3));
    }

    [Fact]
    public async Task A_wait_ends_with_the_awaited_version_or_after_the_limit_with_the_newest_older_one_named_by_the_lineage()
    {
        var lineage = LearnerLineage.New();
        var publication = new WeightPublication(lineage);
        Assert.Null(await publication.WaitForAsync(0, TimeSpan.FromMilliseconds(50), CancellationToken.None));

        publication.Publish(4, WeightImage.Copy([1, 2, 3], 2));
        var older = await publication.WaitForAsync(6, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal((4L, lineage), (older!.Version, older.Lineage));

        var waiting = publication.WaitForAsync(5, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        publication.Publish(5, WeightImage.Copy([4, 5, 6], 2));
        Assert.Equal(5, (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.Version);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publication.WaitForAsync(9, TimeSpan.FromSeconds(30), cancelled.Token));
    }

    [Fact]
    public async Task A_policy_published_in_many_segments_is_pulled_and_loaded_exactly()
    {
        // Segments of 10,001 bytes: the tiny policy spans dozens of them, with values straddling their boundaries,
        // as a model above 2 GiB spans many segments of the run's chunk size.
        using var model = TinyPolicy.Model(seed: 4);
        var image = WeightSnapshot.Capture(model, segmentBytes: 10_001);
        Assert.True(image.Segments.Count > 10, $"only {image.Segments.Count} segments");
        var publication = new WeightPublication();
        publication.Publish(1, image);
        var config = TinyPolicy.Config with { TopK = 1 };
        await using var engine = Engine(new PublicationSource(publication));

        var output = await engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 1, CancellationToken.None);

        Assert.Equal(1, output.PolicyVersion);
        Assert.Equal(TinyPolicy.DirectGreedy(image.ToArray(), [TinyPolicy.Prompt(0)], config)[0].Tokens, output.Tokens);
    }

    [Fact]
    public async Task A_damaged_chunk_of_a_many_segment_image_is_refused_naming_the_version_and_the_checksums()
    {
        using var model = TinyPolicy.Model(seed: 5);
        var publication = new WeightPublication();
        var manifest = publication.Publish(2, WeightSnapshot.Capture(model, segmentBytes: 10_001));
        var damaged = manifest.ChunkCount / 2;
        var source = new PublicationSource(publication) { Tamper = (index, chunk) => index == damaged ? Flip(chunk) : chunk };
        await using var engine = Engine(source);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 2, CancellationToken.None));

        Assert.Contains($"run '{Run}' policy version 2", error.Message);
        Assert.Contains("failed verification twice, so they were not loaded", error.Message);
        Assert.Contains($"the manifest says {manifest.Sha256}", error.Message);
        Assert.Null(engine.LoadedVersion(Run));
        // Served, not damaged at the source: the published chunk itself is intact.
        Assert.Equal(manifest.Sha256, new WeightImage(
            Enumerable.Range(0, manifest.ChunkCount).Select(i => publication.Chunk(2, i)).ToArray(), manifest.ChunkBytes).Sha256());
    }

    [Fact]
    public async Task A_bfloat16_image_is_half_the_size_generates_as_the_float32_one_rounded_on_load_and_is_checked()
    {
        using var model = TinyPolicy.Model(seed: 6);
        var config = TinyPolicy.Config with { ComputeDtype = "bfloat16", TopK = 1 };
        var full = new WeightPublication();
        var fullManifest = full.Publish(1, WeightSnapshot.Capture(model, segmentBytes: 10_001));
        var half = new WeightPublication();
        var halfManifest = half.Publish(1, WeightSnapshot.Capture(model, segmentBytes: 10_001, imageType: TorchSharp.torch.ScalarType.BFloat16));

        RolloutOutput fromFull, fromHalf;
        await using (var engine = Engine(new PublicationSource(full)))
            fromFull = await engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 1, CancellationToken.None);
        await using (var engine = Engine(new PublicationSource(half)))
            fromHalf = await engine.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 1, CancellationToken.None);

        Assert.Equal(fullManifest.TotalBytes, 2 * halfManifest.TotalBytes);
        // A bfloat16 engine rounds a float32 image on load: the bfloat16 image must hold exactly those values.
        Assert.Equal(fromFull.Tokens, fromHalf.Tokens);
        Assert.Equal(fromFull.LogProbs, fromHalf.LogProbs);
        var damaged = new PublicationSource(half) { Tamper = (index, chunk) => index == 0 ? Flip(chunk) : chunk };
        await using var refusing = Engine(damaged);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => refusing.GenerateAsync(Run, config, TinyPolicy.Prompt(0), 1, CancellationToken.None));
        Assert.Contains($"the manifest says {halfManifest.Sha256}", error.Message);
    }

    static RolloutEngine Engine(IWeightSource source) =>
        new(source, new RunAssetsCache(), new RolloutEngineOptions { PullParallelism = 4, WorkerName = "publication-torch" });

    static byte[] Flip(byte[] chunk)
    {
        var copy = (byte[])chunk.Clone();
        copy[copy.Length / 3] ^= 0x21;
        return copy;
    }

    /// <summary>Serves a <see cref="WeightPublication"/> as the learner grain does, optionally damaging chunks on the way.</summary>
    sealed class PublicationSource(WeightPublication publication) : IWeightSource
    {
        public Func<int, byte[], byte[]> Tamper { get; init; } = (_, chunk) => chunk;

        public async Task<WeightManifest> GetManifestAsync(string runId, long minVersion, TimeSpan maxWait, CancellationToken cancellationToken) =>
            await publication.WaitForAsync(minVersion, maxWait, cancellationToken) ?? throw new PolicyUnavailableException("nothing published");

        public Task<byte[]> GetChunkAsync(string runId, long version, int index, CancellationToken cancellationToken) =>
            Task.FromResult(Tamper(index, publication.Chunk(version, index)));
    }
}
