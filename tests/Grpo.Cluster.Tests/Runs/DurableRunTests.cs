using System.Security.Cryptography;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Grains.Runs;
using Grpo.Hosting;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// Durable runs: listed by the registry, resumed after a stop, after the whole cluster stopped and started again, and
/// from the checkpoint before a bad newest one (named), and refused when every checkpoint is bad; re-activated by
/// their reminder when their silo dies.
/// </summary>
public sealed class DurableRunTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    static readonly TimeSpan ShortReminderPeriod = TimeSpan.FromSeconds(2);
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-durable-tests-{Guid.NewGuid():N}");

    GrpoSiloOptions Learner => GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory };

    /// <summary>
    /// These tests are about where a run continues, not about what it learns: no warm-up, few prompts per step, so each
    /// step takes a fraction of a second.
    /// </summary>
    static RunConfig Quick(int steps) => RunScenario.Fast(steps) with
    {
        PromptsPerStep = 4, WarmupSftSteps = 0, WarmupSftTargetAccuracy = 0, HeldOutSize = 16,
    };

    static IRunRegistryGrain Registry(GrpoTestCluster cluster) => cluster.Client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);

    [Fact]
    public async Task A_stopped_run_is_listed_resumed_where_it_stopped_and_finishes_with_every_step_trained_once()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, GrpoTestCluster.RolloutOnly);
        var config = Quick(steps: 8) with { CheckpointEvery = 3 };
        var run = cluster.Client.GetGrain<IRunGrain>("stop-resume");

        await run.StartAsync(config);
        Assert.Single(cluster.Storage.Reminders.Rows, r => r.ReminderName == RunReminderOptions.ReminderName);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 2, RunTimeout);
        await run.StopAsync();
        var stopped = await RunScenario.WaitForEndAsync(run, RunTimeout);
        Assert.Equal(RunState.Stopped, stopped.State);
        Assert.Empty(cluster.Storage.Reminders.Rows);
        var listed = Assert.Single(await Registry(cluster).ListAsync());
        Assert.Equal(("stop-resume", RunState.Stopped, stopped.Step, 8L, stopped.PolicyVersion),
            (listed.RunId, listed.State, listed.Step, listed.TotalSteps, listed.PolicyVersion));

        var resumption = await run.ResumeAsync();
        Assert.Equal(ResumeOutcome.Resumed, resumption.Outcome);
        Assert.Equal(RunState.Training, resumption.Status.State);
        Assert.Single(cluster.Storage.Reminders.Rows);
        Assert.Equal(ResumeOutcome.AlreadyRunning, (await run.ResumeAsync()).Outcome);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));
        Assert.Equal(6, status.CheckpointStep);
        Assert.Equal(Path.Combine(directory, "stop-resume", "step-00000006"), status.CheckpointPath);
        Assert.Empty(cluster.Storage.Reminders.Rows);
        listed = Assert.Single(await Registry(cluster).ListAsync());
        Assert.Equal((RunState.Completed, 8L, 8L, 6L), (listed.State, listed.Step, listed.PolicyVersion, listed.CheckpointStep));

        var again = await run.ResumeAsync();
        Assert.Equal(ResumeOutcome.Completed, again.Outcome);
        Assert.Equal(RunState.Completed, (await run.GetStatusAsync()).State);
    }

    [Fact]
    public async Task Run_state_writes_that_fail_while_the_database_is_briefly_away_are_retried_and_the_run_finishes()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, GrpoTestCluster.RolloutOnly);
        var config = Quick(steps: 6);
        var run = cluster.Client.GetGrain<IRunGrain>("flaky-database");

        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 1, RunTimeout);
        cluster.Storage.FailingWrites = 4;
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal(0, cluster.Storage.FailingWrites);
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));
        // What was stored (not only what the activation holds) is the finished run.
        var runSilo = Assert.Single(await SilosHosting(cluster, "RunGrain", "flaky-database"));
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress == runSilo));
        Assert.Equal(RunState.Completed, (await run.GetStatusAsync()).State);
    }

    [Fact]
    public async Task Resuming_an_unknown_run_reports_it_unknown_and_records_nothing()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, GrpoTestCluster.RolloutOnly);

        var resumption = await cluster.Client.GetGrain<IRunGrain>("ghost").ResumeAsync();

        Assert.Equal(ResumeOutcome.Unknown, resumption.Outcome);
        Assert.Equal(RunState.NotStarted, resumption.Status.State);
        Assert.Empty(await Registry(cluster).ListAsync());
        Assert.Empty(cluster.Storage.Reminders.Rows);
        Assert.DoesNotContain(cluster.Storage.RunState.Keys, key => key.Contains("ghost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_the_whole_cluster_stops_and_starts_again_resume_continues_at_the_last_checkpoint()
    {
        var config = Quick(steps: 10) with { CheckpointEvery = 3 };
        const string runId = "cluster-restart";
        StepMetrics[] before;
        var storage = new ClusterStorage();
        await using (var first = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly))
        {
            var run = first.Client.GetGrain<IRunGrain>(runId);
            await run.StartAsync(config);
            await RunScenario.WaitUntilAsync(run, s => s.Step >= 5, RunTimeout);
            before = await run.GetMetricsAsync(0);
        }

        var checkpoint = TrainingCheckpoint.FindLatest(Path.Combine(directory, runId));
        Assert.NotNull(checkpoint);
        var checkpointStep = long.Parse(Path.GetFileName(checkpoint)["step-".Length..]);
        output.WriteLine($"cluster stopped after step {before.Length - 1}; newest checkpoint {checkpoint}");

        await using var second = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly);
        var resumed = second.Client.GetGrain<IRunGrain>(runId);
        var resumption = await resumed.ResumeAsync();
        Assert.Equal(ResumeOutcome.Resumed, resumption.Outcome);
        var continued = await RunScenario.WaitUntilAsync(resumed, s => s.Phase == "training", RunTimeout);
        // The new loop starts at the checkpoint, or one step before it when the stopped cluster had not recorded the step
        // the checkpoint ends with (the learner then answers that step from the checkpoint); a fast step may be past it.
        output.WriteLine($"resumed loop reported step {continued.Step}, policy version {continued.PolicyVersion}");
        Assert.InRange(continued.Step, checkpointStep - 1, checkpointStep + 1);
        Assert.Equal(Math.Max(continued.Step, checkpointStep), continued.PolicyVersion);
        var status = await RunScenario.WaitForEndAsync(resumed, RunTimeout);
        var after = await resumed.GetMetricsAsync(0);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, after);
        // Steps before the checkpoint are kept as they were; the ones after it were trained again by the restored learner.
        foreach (var step in before)
        {
            if (step.Step < checkpointStep) Assert.Equal(step.StepSeconds, after[step.Step].StepSeconds);
            else Assert.NotEqual(step.StepSeconds, after[step.Step].StepSeconds);
        }
        Assert.Equal(9, status.CheckpointStep);
        Assert.Empty(storage.Reminders.Rows);
        // The loop generation was kept in the run record, not restarted at 0: the restarted cluster's prompt grains
        // carry a later generation than the first cluster's, so none could answer with a group the new learner lacks.
        var statistics = await second.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var promptKeys = statistics.Where(s => s.GrainType.Contains("PromptGrain", StringComparison.Ordinal))
            .Select(s => s.GrainId.Key.ToString()!).Where(key => key.StartsWith(runId + "/", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(promptKeys);
        Assert.All(promptKeys, key => Assert.Matches(@"#restart[1-9][0-9]*$", key));
    }

    [Fact]
    public async Task A_run_grain_whose_silo_was_killed_is_reactivated_by_its_reminder_and_finishes_without_any_call()
    {
        var both = new GrpoSiloOptions { CheckpointDirectory = directory, RunReminderPeriod = ShortReminderPeriod };
        await using var cluster = await GrpoTestCluster.StartAsync(both, both, GrpoTestCluster.RolloutOnly with { RunReminderPeriod = ShortReminderPeriod });
        var config = Quick(steps: 8) with { CheckpointEvery = 2 };
        const string runId = "reminder-run";
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 2, RunTimeout);

        var runSilo = Assert.Single(await SilosHosting(cluster, "RunGrain", runId));
        var victim = cluster.Cluster.Silos.Single(s => s.SiloAddress == runSilo);
        output.WriteLine($"killing {victim.Name}, which holds the run grain");
        await cluster.Cluster.KillSiloAsync(victim);

        // Only the registry is read from here on: nothing but the reminder can bring the run grain back.
        var deadline = DateTime.UtcNow + RunTimeout;
        RunStatus listed;
        while (true)
        {
            listed = Assert.Single(await Registry(cluster).ListAsync());
            if (listed.IsFinished || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        Assert.True(listed.State == RunState.Completed, $"run is {listed.State} at step {listed.Step}: {listed.Error}");
        var newSilo = Assert.Single(await SilosHosting(cluster, "RunGrain", runId));
        Assert.NotEqual(runSilo, newSilo);
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));
        Assert.Empty(cluster.Storage.Reminders.Rows);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped byte")]
    public async Task A_bad_newest_checkpoint_is_passed_over_named_in_resume_status_and_log_and_the_run_finishes_from_the_one_before(string damage)
    {
        var config = Quick(steps: 8) with { CheckpointEvery = 2, KeepCheckpoints = 3 };
        var runId = "bad-checkpoint-" + damage.Replace(' ', '-');
        var storage = new ClusterStorage();
        await using (var first = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly))
        {
            var run = first.Client.GetGrain<IRunGrain>(runId);
            await run.StartAsync(config);
            await RunScenario.WaitUntilAsync(run, s => s.Step >= 5, RunTimeout);
            await run.StopAsync();
            Assert.Equal(RunState.Stopped, (await RunScenario.WaitForEndAsync(run, RunTimeout)).State);
        }

        var runDirectory = Path.Combine(directory, runId);
        var newest = TrainingCheckpoint.FindLatest(runDirectory)!;
        var newestStep = long.Parse(Path.GetFileName(newest)["step-".Length..]);
        var previous = Path.Combine(runDirectory, $"step-{newestStep - 2:D8}");
        var model = Path.Combine(newest, TrainingCheckpoint.ModelFileName);
        var bytes = File.ReadAllBytes(model);
        if (damage == "truncated") bytes = bytes[..^8];
        else bytes[^1] ^= 0xFF;
        File.WriteAllBytes(model, bytes);
        var damaged = Hash(model);

        await using var second = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly);
        var resumed = second.Client.GetGrain<IRunGrain>(runId);
        var resumption = await resumed.ResumeAsync();

        Assert.Equal(ResumeOutcome.Resumed, resumption.Outcome);
        var start = resumption.LearnerStart!;
        Assert.Equal((null, previous, newestStep - 2, false), (start.LiveVersion, start.Checkpoint, start.CheckpointStep, start.Refused));
        Assert.StartsWith($"checkpoint '{newest}' failed verification: file '{model}' is corrupt: ", start.Warning);
        Assert.EndsWith($"; using checkpoint '{previous}' (step {newestStep - 2}) instead", start.Warning);
        var status = await RunScenario.WaitForEndAsync(resumed, RunTimeout);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, await resumed.GetMetricsAsync(0));
        Assert.Equal(start.Warning, status.CheckpointWarning);
        var logged = second.Logs.Entries.Select(e => e.Message).ToArray();
        var warning = start.Warning!;
        var rejected = warning[..warning.IndexOf("; using", StringComparison.Ordinal)];
        Assert.Contains(logged, m => m.Contains($"Run {runId}: {rejected}; it is passed over.", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains($"restored from checkpoint {previous} at step {newestStep - 2}", StringComparison.Ordinal)
                                     && m.Contains("passing over 1 newer checkpoint(s) that failed verification", StringComparison.Ordinal));
        // The redone steps wrote that step again; the bad folder is kept aside as it was.
        var kept = Assert.Single(Directory.GetDirectories(runDirectory, Path.GetFileName(newest) + TrainingCheckpoint.FailedVerificationSuffix + "*"));
        Assert.Equal(damaged, Hash(Path.Combine(kept, TrainingCheckpoint.ModelFileName)));
    }

    [Fact]
    public async Task When_every_checkpoint_is_bad_the_learner_refuses_to_start_over_and_the_run_fails_resumably_naming_them()
    {
        var config = Quick(steps: 6) with { CheckpointEvery = 2, KeepCheckpoints = 1 };
        const string runId = "only-bad-checkpoints";
        var storage = new ClusterStorage();
        await using (var first = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly))
        {
            var run = first.Client.GetGrain<IRunGrain>(runId);
            await run.StartAsync(config);
            await RunScenario.WaitUntilAsync(run, s => s.Step >= 3, RunTimeout);
            await run.StopAsync();
            Assert.Equal(RunState.Stopped, (await RunScenario.WaitForEndAsync(run, RunTimeout)).State);
        }

        var runDirectory = Path.Combine(directory, runId);
        var only = Assert.Single(Directory.GetDirectories(runDirectory, "step-*"));
        var optimizer = Path.Combine(only, TrainingCheckpoint.OptimizerFileName);
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..^4]);

        await using var second = await GrpoTestCluster.StartAsync(storage, Learner, GrpoTestCluster.RolloutOnly);
        var resumed = second.Client.GetGrain<IRunGrain>(runId);
        var resumption = await resumed.ResumeAsync();
        Assert.True(resumption.LearnerStart!.Refused);
        Assert.Null(resumption.LearnerStart.Checkpoint);
        var failed = await WaitForStateAsync(resumed, RunState.Failed);

        Assert.Contains($"no checkpoint under '{runDirectory}' passed verification (checkpoint '{only}' failed verification: file '{optimizer}' is corrupt", failed.Error);
        Assert.True(failed.Resumable, "a bad checkpoint file is outside the run: resumable once the file is dealt with");
        Assert.True(File.Exists(optimizer), "nothing is deleted");
    }

    static async Task<RunStatus> WaitForStateAsync(IRunGrain run, RunState state)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status.State == state) return status;
            if (status.IsFinished || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"run {status.RunId} is {status.State} ({status.Error}), not {state}.");
            await Task.Delay(100);
        }
    }

    static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    static async Task<SiloAddress[]> SilosHosting(GrpoTestCluster cluster, string grainClassName, string runId)
    {
        var statistics = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainClassName, StringComparison.Ordinal) && s.GrainId.Key.ToString() == runId)
            .Select(s => s.SiloAddress).Distinct().ToArray();
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
