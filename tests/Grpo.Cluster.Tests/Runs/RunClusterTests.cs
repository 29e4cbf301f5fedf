using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// Whole runs through the real grains on an in-process cluster of role-specific silos: placement, elasticity, a
/// rollout silo dying mid-step, and bounded staleness.
/// </summary>
public sealed class RunClusterTests(ITestOutputHelper output)
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Completions_run_on_rollout_silos_the_learner_on_the_learner_silo_and_the_reward_rises()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 40) with { PromptsPerStep = 16 };
        var run = cluster.Client.GetGrain<IRunGrain>("placement-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);
        // Asked once the run is over: the learner activates when the run's loop first calls it, after StartAsync returned,
        // and keeps its activation (and its place) for the rest of the run.
        var learnerSilos = await RunScenario.SilosHosting(cluster.Client, "LearnerGrain");

        Assert.Equal(RunState.Completed, status.State);
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        var learnerSilo = Assert.Single(learnerSilos);
        Assert.Equal("Silo_0", cluster.SiloNameOf(learnerSilo.ToString()));
        var completionSilos = metrics.SelectMany(m => m.CompletionsBySilo.Keys).Distinct().Select(cluster.SiloNameOf).Order().ToArray();
        Assert.Equal(["Silo_1", "Silo_2"], completionSilos);

        var early = metrics.Take(8).Average(m => m.MeanReward);
        var late = metrics.TakeLast(8).Average(m => m.MeanReward);
        output.WriteLine($"mean reward: first 8 steps {early:F3}, last 8 steps {late:F3}; accuracy {status.BaselineAccuracy:P1} -> {status.FinalAccuracy:P1}");
        Assert.True(late > early, $"mean reward should rise: first steps {early:F3}, last steps {late:F3}");
    }

    [Fact]
    public async Task A_silo_started_mid_run_receives_completions_and_serves_current_weights()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 16);
        var run = cluster.Client.GetGrain<IRunGrain>("elastic-run");

        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 4, RunTimeout);
        var joined = await cluster.StartAdditionalSiloAsync(GrpoTestCluster.RolloutOnly);
        var joinedAt = (await run.GetStatusAsync()).Step;
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        Assert.Equal(RunState.Completed, status.State);
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        var newSilo = joined.SiloAddress.ToString();
        Assert.DoesNotContain(metrics.Where(m => m.Step < 4), m => m.CompletionsBySilo.ContainsKey(newSilo));
        Assert.Contains(metrics.Where(m => m.Step >= joinedAt), m => m.CompletionsBySilo.ContainsKey(newSilo));
        // Synchronous mode: every trained completion came from the policy version being trained, on every silo.
        Assert.All(metrics, m => Assert.Equal(0, m.MaxStaleness));
    }

    [Fact]
    public async Task A_rollout_silo_killed_mid_step_does_not_stop_the_run_nor_change_group_sizes()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 12);
        var run = cluster.Client.GetGrain<IRunGrain>("kill-run");

        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 3, RunTimeout);
        // The victim is a rollout silo without the run grain: a lost run grain is the durable-run scenario
        // (re-activation by reminder), not this one.
        var runSilos = (await RunScenario.SilosHosting(cluster.Client, "RunGrain")).Select(s => s.ToString()).ToHashSet();
        var victim = cluster.Cluster.Silos.Where(s => s.Name is "Silo_1" or "Silo_2").First(s => !runSilos.Contains(s.SiloAddress.ToString()));
        await cluster.Cluster.KillSiloAsync(victim);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        var lastSteps = metrics.TakeLast(3).SelectMany(m => m.CompletionsBySilo.Keys).Distinct().Select(cluster.SiloNameOf).ToArray();
        Assert.DoesNotContain(victim.Name, lastSteps);
    }

    [Fact]
    public async Task With_max_staleness_one_no_trained_completion_is_more_than_one_version_old_and_older_or_foreign_groups_are_refused()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 10) with { MaxStaleness = 1 };
        var run = cluster.Client.GetGrain<IRunGrain>("stale-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        Assert.Equal(RunState.Completed, status.State);
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        Assert.All(metrics, m => Assert.InRange(m.MaxStaleness, 0, 1));
        Assert.Contains(metrics, m => m.MaxStaleness == 1); // rollouts really overlapped training

        // The learner is at version 10 now: a group sampled from version 8 is two versions old and must be regenerated.
        var learner = cluster.Client.GetGrain<ILearnerGrain>("stale-run");
        var lineage = Assert.NotNull(await learner.GetLineageAsync());
        Assert.False(lineage.IsAny);
        var old = new CompletionResult("stale-run/10/0/0", [5, 2], [-0.1f, -0.2f], PolicyVersion: 8, Reward: 1, Truncated: false, "3", "silo") { Lineage = lineage };
        var submission = await learner.SubmitGroupAsync(new ScoredGroup("stale-run", 10, 0, [1, 4],
            Enumerable.Repeat(old, config.GroupSize).ToArray()));
        Assert.Equal(GroupAcceptance.Stale, submission.Acceptance);
        Assert.Equal(10, submission.LearnerPolicyVersion);

        // Sampled from the weights of another learner lineage (a learner since lost and restored): refused, however fresh.
        var foreign = old with { PolicyVersion = 10, Lineage = LearnerLineage.New() };
        var refused = await learner.SubmitGroupAsync(new ScoredGroup("stale-run", 10, 1, [1, 4],
            Enumerable.Repeat(foreign, config.GroupSize).ToArray()));
        Assert.Equal(GroupAcceptance.OtherLineage, refused.Acceptance);
    }
}
