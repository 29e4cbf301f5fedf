using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class WeightPublicationRetentionTests
{
    const string Run = "retention-run";

    /// <summary>Three chunks of two bytes, the first byte naming the version.</summary>
    static WeightImage Image(long version) => WeightImage.Copy([(byte)version, 1, 2, 3, 4, 5], segmentBytes: 2);

    static async Task PullWholly(WeightPublication publication, long minVersion)
    {
        var manifest = await publication.WaitForAsync(minVersion, TimeSpan.FromSeconds(5), CancellationToken.None);
        for (var index = 0; index < manifest!.ChunkCount; index++) publication.Chunk(manifest.Version, index);
    }

    [Fact]
    public async Task Only_the_newest_version_is_held_once_no_pull_of_an_older_one_is_under_way()
    {
        var publication = new WeightPublication();
        publication.Publish(0, Image(0));
        await PullWholly(publication, 0);
        publication.Publish(1, Image(1));
        publication.Publish(2, Image(2));

        Assert.Equal([2], publication.HeldVersions);
        Assert.Equal(Image(2).TotalBytes, publication.HeldBytes);
        var gone = Assert.Throws<InvalidOperationException>(() => publication.Chunk(1, 0));
        Assert.Contains("policy version 1 is no longer published (newest is 2)", gone.Message);
    }

    [Fact]
    public async Task A_version_still_being_pulled_stays_until_its_last_chunk_is_served()
    {
        var publication = new WeightPublication();
        publication.Publish(4, Image(4));
        var manifest = await publication.WaitForAsync(4, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal([4], publication.Chunk(4, 0)[..1]);

        publication.Publish(5, Image(5));
        Assert.Equal([4, 5], publication.HeldVersions);
        publication.Chunk(4, 2);
        Assert.Equal([4, 5], publication.HeldVersions);
        // The pull's last chunk: nobody asked for version 4 since, so it goes with this answer.
        Assert.Equal([2, 3], publication.Chunk(4, 1));

        Assert.Equal(3, manifest!.ChunkCount);
        Assert.Equal([5], publication.HeldVersions);
    }

    [Fact]
    public async Task Two_pullers_of_one_version_keep_it_until_both_are_done()
    {
        var publication = new WeightPublication();
        publication.Publish(1, Image(1));
        await publication.WaitForAsync(1, TimeSpan.FromSeconds(5), CancellationToken.None);
        await publication.WaitForAsync(1, TimeSpan.FromSeconds(5), CancellationToken.None);
        foreach (var index in new[] { 0, 1, 2 }) publication.Chunk(1, index);
        publication.Publish(2, Image(2));

        Assert.Equal([1, 2], publication.HeldVersions);
        foreach (var index in new[] { 2, 1, 0 }) publication.Chunk(1, index);
        Assert.Equal([2], publication.HeldVersions);
    }

    [Fact]
    public async Task A_pull_abandoned_half_way_keeps_its_version_only_for_the_lease()
    {
        var clock = new ManualClock();
        var publication = new WeightPublication(pullLease: TimeSpan.FromSeconds(30), time: clock);
        publication.Publish(1, Image(1));
        await publication.WaitForAsync(1, TimeSpan.FromSeconds(5), CancellationToken.None);
        publication.Chunk(1, 0);
        publication.Publish(2, Image(2));

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal([1, 2], publication.HeldVersions);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([2], publication.HeldVersions);
    }

    [Fact]
    public async Task Releasing_before_a_capture_drops_even_the_newest_unless_it_is_being_pulled_and_a_waiting_request_gets_the_next()
    {
        var publication = new WeightPublication();
        publication.Publish(1, Image(1));
        await PullWholly(publication, 1);
        Assert.Equal(Image(1).TotalBytes, publication.ReleaseIdle());
        Assert.Empty(publication.HeldVersions);
        var waiting = publication.WaitForAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        publication.Publish(2, Image(2));
        Assert.Equal(2, (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.Version);

        publication.Chunk(2, 0);
        Assert.Equal(0, publication.ReleaseIdle());
        Assert.Equal([2], publication.HeldVersions);
    }

    [Fact]
    public async Task An_engine_pulling_from_the_in_memory_source_leaves_only_the_newest_image_held()
    {
        var source = new InMemoryWeightSource();
        source.Publish(Run, 1, WeightImage.Copy(TinyPolicy.Image(seed: 1), 50_000));
        await using var engine = new RolloutEngine(source, new Grpo.Grains.Runs.RunAssetsCache(), new RolloutEngineOptions { WorkerName = "retention-torch" });
        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 1, CancellationToken.None);
        source.Publish(Run, 2, WeightImage.Copy(TinyPolicy.Image(seed: 2), 50_000));

        var gone = await Assert.ThrowsAsync<KeyNotFoundException>(() => source.GetChunkAsync(Run, 1, 0, CancellationToken.None));

        Assert.Contains("policy version 1", gone.Message);
        var output = await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 2, CancellationToken.None);
        Assert.Equal(2, output.PolicyVersion);
    }

    [Fact]
    public async Task A_colocated_engine_reads_the_learners_chunks_themselves_not_copies()
    {
        var publications = new SiloPublications();
        var publication = new WeightPublication();
        var image = Image(3);
        publication.Publish(3, image);
        publications.Register(Run, publication);
        // No grain factory: a colocated read that fell through to a grain call would fail.
        var source = new LearnerWeightSource(grains: null!, publications);

        var chunk = await source.GetChunkAsync(Run, 3, 1, CancellationToken.None);

        Assert.Same(image.Segments[1], chunk);
        publications.Unregister(Run, new WeightPublication());
        Assert.Same(publication, publications.Find(Run));
        publications.Unregister(Run, publication);
        Assert.Null(publications.Find(Run));
    }

    sealed class ManualClock : TimeProvider
    {
        DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
