using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A run keeps exactly one learner activation when a silo that holds directory entries dies: the cluster's grain
/// directory must not forget the live learner and let a second, uninitialised one start on the other learner silo.
/// </summary>
public sealed class SingleActivationTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    static readonly TimeSpan ShortReminderPeriod = TimeSpan.FromSeconds(2);
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-single-activation-tests-{Guid.NewGuid():N}");

    [Fact]
    public async Task Killing_the_silo_that_holds_the_learners_directory_entry_leaves_one_learner_activation_that_reports_its_progress()
    {
        var learnerSilo = GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory, RunReminderPeriod = ShortReminderPeriod };
        var rolloutSilo = GrpoTestCluster.RolloutOnly with { RunReminderPeriod = ShortReminderPeriod };
        // Two learner silos: a second activation has somewhere to go. Three rollout silos: one can die and two go on.
        await using var cluster = await GrpoTestCluster.StartAsync(learnerSilo, learnerSilo, rolloutSilo, rolloutSilo, rolloutSilo);
        var rolloutSilos = cluster.Cluster.Silos.Where(s => s.Name is "Silo_2" or "Silo_3" or "Silo_4").Select(s => s.SiloAddress).ToHashSet();
        var ring = cluster.Cluster.Silos.Select(s => s.SiloAddress).ToArray();
        // A run whose learner entry the eventually consistent directory would keep on a rollout silo: killing that silo
        // loses the entry there, while the learner itself lives on.
        var (runId, entryHolder) = Enumerable.Range(0, 1000).Select(i => $"one-learner-{i}")
            .Select(id => (Id: id, Holder: HashRingOwner(cluster.Client.GetGrain<ILearnerGrain>(id).GetGrainId(), ring)))
            .First(candidate => rolloutSilos.Contains(candidate.Holder));
        var config = RunScenario.Fast(steps: 12) with
        {
            PromptsPerStep = 4, WarmupSftSteps = 0, WarmupSftTargetAccuracy = 0, HeldOutSize = 16, CheckpointEvery = 2,
        };
        var run = cluster.Client.GetGrain<IRunGrain>(runId);

        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 3, RunTimeout);
        var victim = cluster.Cluster.Silos.Single(s => s.SiloAddress == entryHolder);
        output.WriteLine($"run {runId}: killing {victim.Name}, which holds the learner's entry on the hash ring " +
            $"(range lease after a crash: {GrainDirectoryOptions.DEFAULT_RANGE_LEASE_DURATION})");
        await cluster.Cluster.KillSiloAsync(victim);
        // A silo that joins afterwards has nothing cached: it must look the learner up in the directory to pull weights.
        await cluster.StartAdditionalSiloAsync(rolloutSilo);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        var activations = LearnerActivations(cluster, runId);
        foreach (var activation in activations) output.WriteLine(activation);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Single(activations);
        Assert.Single(await RunScenario.SilosHostingKey(cluster.Client, "LearnerGrain", runId));
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));
        Assert.DoesNotContain(cluster.Logs.Entries, e => e.Message.Contains("restored from checkpoint", StringComparison.Ordinal));

        // Initialising the live learner again (a resumed or re-activated run grain does) reports where it is, not step 0.
        var ready = await cluster.Client.GetGrain<ILearnerGrain>(runId).InitializeAsync(config);
        Assert.Equal((config.Steps, (long)config.Steps), (ready.PolicyVersion, ready.CompletedSteps));
        Assert.Single(LearnerActivations(cluster, runId));
    }

    static string[] LearnerActivations(GrpoTestCluster cluster, string runId) =>
        cluster.Logs.Entries.Select(e => e.Message).Where(m => m.StartsWith($"Learner of run {runId} activated", StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// The silo that Orleans' eventually consistent directory makes the owner of <paramref name="grain"/>'s entry: the one
    /// with the greatest consistent hash not above the grain's uniform hash, or else the greatest on the ring.
    /// </summary>
    static SiloAddress HashRingOwner(GrainId grain, IEnumerable<SiloAddress> silos)
    {
        var hash = unchecked((int)grain.GetUniformHashCode());
        var ordered = silos.OrderBy(s => s.GetConsistentHashCode()).ToArray();
        return ordered.LastOrDefault(s => s.GetConsistentHashCode() <= hash) ?? ordered[^1];
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
