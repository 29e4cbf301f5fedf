using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>The learner's relay registry and egress count, and a rollout silo's relay store.</summary>
public sealed class WeightRelayTests
{
    static WeightImage Image(long version) => WeightImage.Copy([(byte)version, 1, 2, 3, 4], segmentBytes: 2);

    [Fact]
    public async Task Each_relay_is_offered_the_relays_that_asked_before_it_and_only_the_first_pulls_from_the_learner()
    {
        var publication = new WeightPublication();
        publication.Publish(3, Image(3));

        var first = await publication.OfferAsync(0, TimeSpan.Zero, "silo-a", CancellationToken.None);
        var second = await publication.OfferAsync(0, TimeSpan.Zero, "silo-b", CancellationToken.None);
        var third = await publication.OfferAsync(0, TimeSpan.Zero, "silo-c", CancellationToken.None);
        var againSecond = await publication.OfferAsync(0, TimeSpan.Zero, "silo-b", CancellationToken.None);

        Assert.Empty(first!.Relays);
        Assert.Equal(["silo-a"], second!.Relays);
        Assert.Equal(["silo-a", "silo-b"], third!.Relays);
        Assert.Equal(["silo-a"], againSecond!.Relays);
        Assert.Equal(3, third.Manifest.Version);
    }

    [Fact]
    public void Only_chunks_that_leave_the_silo_count_as_egress()
    {
        var publication = new WeightPublication();
        publication.Publish(1, Image(1));

        publication.Chunk(1, 0);
        publication.Chunk(1, 2);
        publication.Chunk(1, 1, remote: false);

        Assert.Equal(2 + 1, publication.ServedBytes);
    }

    [Fact]
    public async Task A_relay_serves_a_chunk_once_its_own_pull_has_it()
    {
        var publication = new WeightPublication();
        var manifest = publication.Publish(2, Image(2));
        var relay = new SiloWeightRelay("silo-a");
        relay.Begin("run", manifest);

        var waiting = relay.ServeAsync("run", 2, manifest.Sha256, 1);
        Assert.False(waiting.IsCompleted);
        var chunk = new byte[] { 1, 2 };
        relay.Landed("run", manifest, 1, chunk);

        Assert.Same(chunk, await waiting.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_relay_whose_pull_failed_sends_its_waiters_on()
    {
        var manifest = new WeightPublication().Publish(2, Image(2));
        var relay = new SiloWeightRelay("silo-a");
        relay.Begin("run", manifest);
        var waiting = relay.ServeAsync("run", 2, manifest.Sha256, 0);

        relay.Ended("run", manifest, verified: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("failed here; ask another holder", error.Message);
        Assert.Null(relay.HeldVersion("run"));
    }

    [Fact]
    public async Task A_relay_refuses_an_image_it_does_not_hold_and_a_chunk_that_never_arrives()
    {
        var manifest = new WeightPublication().Publish(2, Image(2));
        var relay = new SiloWeightRelay("silo-a", chunkWait: TimeSpan.FromMilliseconds(50));
        relay.Begin("run", manifest);

        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => relay.ServeAsync("run", 3, manifest.Sha256, 0));
        Assert.Contains("policy version 3", other.Message);
        Assert.Contains("this silo holds version 2", other.Message);
        var late = await Assert.ThrowsAsync<InvalidOperationException>(() => relay.ServeAsync("run", 2, manifest.Sha256, 2));
        Assert.Contains("chunk 2 has not arrived here", late.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => relay.ServeAsync("run", 2, manifest.Sha256, 3));
    }

    [Fact]
    public async Task A_verified_image_stays_when_the_same_version_is_pulled_again()
    {
        var image = Image(4);
        var manifest = new WeightPublication().Publish(4, image);
        var relay = new SiloWeightRelay("silo-a");
        relay.Begin("run", manifest);
        for (var index = 0; index < image.Segments.Count; index++) relay.Landed("run", manifest, index, image.Segments[index]);
        relay.Ended("run", manifest, verified: true);

        relay.Begin("run", manifest);
        relay.Ended("run", manifest, verified: false);

        Assert.Same(image.Segments[2], await relay.ServeAsync("run", 4, manifest.Sha256, 2));
    }
}
