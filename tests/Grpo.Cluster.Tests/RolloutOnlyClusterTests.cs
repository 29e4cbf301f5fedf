using System.Diagnostics;
using Grpo.Grains.Placement;

namespace Grpo.Cluster.Tests;

public sealed class RolloutOnlyClusterTests(RolloutOnlyClusterFixture fixture) : IClassFixture<RolloutOnlyClusterFixture>
{
    private readonly GrpoTestCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Calling_a_learner_grain_without_a_learner_silo_fails_fast_naming_the_role()
    {
        var grain = _cluster.Client.GetGrain<ILearnerWhereAmIGrain>(Guid.NewGuid().ToString("N"));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => grain.SiloAddress().WaitAsync(TimeSpan.FromSeconds(20)));

        clock.Stop();
        Assert.IsNotType<TimeoutException>(error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"placement failed only after {clock.Elapsed}");
        var failure = Assert.IsType<NoSiloWithRoleException>(error);
        Assert.Equal(SiloRole.Learner, failure.Role);
        Assert.Contains("learner role", failure.Message);
        Assert.Contains("grpo.learner=true", failure.Message);
    }

    [Fact]
    public async Task A_rollout_silo_that_joins_mid_run_receives_new_rollout_activations()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var before = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => _cluster.Client.GetGrain<IRolloutWhereAmIGrain>($"{prefix}/before/{i}").SiloAddress()));
        Assert.All(before, address => Assert.Equal(GrpoTestCluster.SiloName(0), _cluster.SiloNameOf(address)));

        var joined = await _cluster.StartAdditionalSiloAsync(GrpoTestCluster.RolloutOnly);
        var joinedAddress = joined.SiloAddress.ToString();

        // The new silo becomes a candidate once the placing silo has its membership entry and metadata; keep
        // activating fresh keys until one lands there rather than sleeping for a guessed interval.
        var deadline = Stopwatch.StartNew();
        string? keyOnJoined = null;
        for (var batch = 0; keyOnJoined is null && deadline.Elapsed < TimeSpan.FromSeconds(15); batch++)
        {
            var keys = Enumerable.Range(0, 20).Select(i => $"{prefix}/after/{batch}/{i}").ToArray();
            var after = await Task.WhenAll(keys.Select(key => _cluster.Client.GetGrain<IRolloutWhereAmIGrain>(key).SiloAddress()));
            Assert.All(after, address => Assert.Contains(address, new[] { before[0], joinedAddress }));
            var index = Array.IndexOf(after, joinedAddress);
            keyOnJoined = index >= 0 ? keys[index] : null;
        }

        Assert.True(keyOnJoined is not null, $"no rollout activation reached the joined silo within {deadline.Elapsed}");
        var metadata = await _cluster.Client.GetGrain<IRolloutWhereAmIGrain>(keyOnJoined).SiloMetadata();
        Assert.True(SiloRoles.HasRole(metadata, SiloRole.Rollout));
        Assert.False(SiloRoles.HasRole(metadata, SiloRole.Learner));
    }
}
