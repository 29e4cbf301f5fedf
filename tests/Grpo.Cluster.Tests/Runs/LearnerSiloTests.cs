using Grpo.Abstractions.Grains;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>The run names the silo its learner lives on, from the grain directory, without activating a learner to ask.</summary>
public sealed class LearnerSiloTests
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_running_run_names_the_learner_silo_and_a_run_not_started_names_none()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        var run = cluster.Client.GetGrain<IRunGrain>("learner-silo-run");

        Assert.Null(await run.GetLearnerSiloAsync());
        Assert.Empty(await RunScenario.SilosHostingKey(cluster.Client, "LearnerGrain", "learner-silo-run"));

        await run.StartAsync(RunScenario.Fast(steps: 6));
        await RunScenario.WaitUntilAsync(run, status => status.Step >= 2, RunTimeout);
        var named = await run.GetLearnerSiloAsync();

        var hosting = Assert.Single(await RunScenario.SilosHostingKey(cluster.Client, "LearnerGrain", "learner-silo-run"));
        Assert.Equal(hosting.ToParsableString(), named);
        Assert.Equal("Silo_0", cluster.SiloNameOf(hosting.ToString()));
        await RunScenario.WaitForEndAsync(run, RunTimeout);
    }
}
