using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs;
using Grpo.Hosting;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>Runs with checkpoint_every: checkpoints written and pruned, and a learner silo dying mid-run.</summary>
public sealed class CheckpointClusterTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-checkpoint-tests-{Guid.NewGuid():N}");

    GrpoSiloOptions Learner => GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory };

    [Fact]
    public async Task A_run_with_checkpoint_every_two_keeps_the_newest_checkpoints_with_weights_optimizer_and_cursor()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 7) with { CheckpointEvery = 2, KeepCheckpoints = 2 };
        var run = cluster.Client.GetGrain<IRunGrain>("checkpoint-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));
        var runDirectory = Path.Combine(directory, "checkpoint-run");
        Assert.Equal(new[] { "step-00000004", "step-00000006" },
            Directory.GetDirectories(runDirectory).Select(d => Path.GetFileName(d)!).Order().ToArray());
        Assert.True(File.Exists(Path.Combine(runDirectory, "reference.safetensors")));

        var latest = TrainingCheckpoint.FindLatest(runDirectory);
        Assert.Equal(Path.Combine(runDirectory, "step-00000006"), latest);
        using var model = new CausalLM(RunAssets.Create(config).Model);
        var loaded = TrainingCheckpoint.Load(latest!, model);
        Assert.Equal(6, loaded.State.Step);
        Assert.Equal(6, loaded.State.PolicyVersion);
        Assert.Equal(6, loaded.State.DataCursor);
        Assert.Equal("checkpoint-run", loaded.State.Extra[LearnerCheckpointExtra.RunId]);
        Assert.Equal(ConfigFingerprint.Compute(config), loaded.State.Extra[LearnerCheckpointExtra.ConfigFingerprint]);
        Assert.Equal(6, loaded.OptimizerState["step"].item<long>());
        foreach (var tensor in loaded.OptimizerState.Values) tensor.Dispose();
    }

    [Fact]
    public async Task When_the_learner_silo_dies_the_learner_resumes_on_the_other_learner_silo_and_every_step_is_trained_once()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(Learner, Learner, GrpoTestCluster.RolloutOnly);
        var config = RunScenario.Fast(steps: 10) with { CheckpointEvery = 2 };

        // Only a learner silo that holds neither the run grain nor the in-memory run state may die here: losing those is
        // the durable-run scenario (PostgreSQL storage), not this one. Placement is random, so runs are tried until one fits.
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var runId = $"learner-kill-{attempt}";
            var run = cluster.Client.GetGrain<IRunGrain>(runId);
            await run.StartAsync(config);
            await RunScenario.WaitUntilAsync(run, s => s.Step >= 1, RunTimeout);
            var learnerSilo = Assert.Single(await SilosHosting(cluster, "LearnerGrain", runId));
            var keep = (await SilosHosting(cluster, "RunGrain", runId)).Concat(await RunScenario.SilosHosting(cluster.Client, "MemoryStorageGrain")).ToHashSet();
            if (keep.Contains(learnerSilo))
            {
                output.WriteLine($"{runId}: the learner shares silo {cluster.SiloNameOf(learnerSilo.ToString())} with run state; trying another run.");
                await run.StopAsync();
                await RunScenario.WaitForEndAsync(run, RunTimeout);
                continue;
            }

            await RunScenario.WaitUntilAsync(run, s => s.Step >= 5, RunTimeout);
            var victim = cluster.Cluster.Silos.Single(s => s.SiloAddress == learnerSilo);
            output.WriteLine($"{runId}: killing {victim.Name} at step {(await run.GetStatusAsync()).Step}.");
            await cluster.Cluster.KillSiloAsync(victim);
            var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
            var metrics = await run.GetMetricsAsync(0);

            Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
            RunScenario.AssertEveryStepTrainedOnce(config, metrics);
            var newLearnerSilo = Assert.Single(await SilosHosting(cluster, "LearnerGrain", runId));
            Assert.NotEqual(learnerSilo, newLearnerSilo);
            Assert.Equal(Path.Combine(directory, runId, "step-00000010"), TrainingCheckpoint.FindLatest(Path.Combine(directory, runId)));
            return;
        }
        Assert.Fail("in six runs the learner always shared its silo with the run grain or its storage.");
    }

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
