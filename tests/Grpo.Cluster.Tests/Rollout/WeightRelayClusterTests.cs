using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Microsoft.Extensions.DependencyInjection;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>A silo's relay grain runs on that silo, serves its relay store, and fails once that silo is gone.</summary>
public sealed class WeightRelayClusterTests
{
    [Fact]
    public async Task A_relay_grain_serves_its_own_silos_chunks_and_fails_once_that_silo_is_killed()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly, GrpoTestCluster.RolloutOnly);
        var holder = cluster.Cluster.Silos[1];
        var relay = holder.ServiceProvider.GetRequiredService<SiloWeightRelay>();
        Assert.Equal(holder.SiloAddress.ToParsableString(), relay.Key);
        var image = WeightImage.Copy([9, 8, 7, 6, 5], segmentBytes: 2);
        var manifest = new WeightPublication().Publish(1, image);
        relay.Begin("run", manifest);
        for (var index = 0; index < image.Segments.Count; index++) relay.Landed("run", manifest, index, image.Segments[index]);
        relay.Ended("run", manifest, verified: true);

        var served = await cluster.Client.GetGrain<IWeightRelayGrain>(relay.Key).GetChunkAsync("run", 1, manifest.Sha256, 1);
        Assert.Equal(image.Segments[1], served);

        await cluster.Cluster.KillSiloAsync(holder);
        await Assert.ThrowsAnyAsync<Exception>(() => cluster.Client.GetGrain<IWeightRelayGrain>(relay.Key)
            .GetChunkAsync("run", 1, manifest.Sha256, 1).WaitAsync(TimeSpan.FromMinutes(3)));
    }
}
