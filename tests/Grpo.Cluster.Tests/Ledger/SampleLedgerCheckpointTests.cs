using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;

namespace Grpo.Cluster.Tests.Ledger;

/// <summary>
/// The learner's checkpoints ask the sample ledger to settle first: a restore never retrains the steps before a
/// checkpoint, so their rows must be written by then, and a database that hangs holds the checkpoint only for a bound.
/// </summary>
public sealed class SampleLedgerCheckpointTests : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-ledger-checkpoint-tests-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_checkpoint_waits_for_the_ledger_rows_before_it_and_goes_ahead_naming_them_when_the_database_hangs()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory }, GrpoTestCluster.RolloutOnly);
        // A short warm-up: what the policy learns does not matter here.
        var config = RunScenario.Fast(steps: 2) with { SampleLedger = true, CheckpointEvery = 1, WarmupSftSteps = 10 };
        const string runId = "ledger-checkpoint-run";
        var stepRows = config.PromptsPerStep * config.GroupSize;
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        cluster.Ledger.Hang();

        await run.StartAsync(config);
        // Every write hangs: the checkpoint of step 1 waits its bound for step 0's rows, then goes ahead and says so.
        // (A run that ends first checkpointed without asking the ledger.)
        var deadline = DateTime.UtcNow + RunTimeout;
        while (!cluster.Logs.Entries.Any(entry => entry.Message.Contains("a checkpoint goes ahead with", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no checkpoint waited for the ledger within 5 minutes.");
            Assert.False((await run.GetStatusAsync()).IsFinished, "the run ended, and no checkpoint waited for the ledger's rows.");
            await Task.Delay(50);
        }

        Assert.Empty(cluster.Ledger.Rows(runId));
        cluster.Ledger.Release();
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        while (cluster.Ledger.Rows(runId).Count < config.Steps * stepRows && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Contains(cluster.Logs.Entries, entry => entry.Message.StartsWith(
            $"Run {runId}: a checkpoint goes ahead with {stepRows} sample ledger rows not yet written", StringComparison.Ordinal));
        Assert.Equal(config.Steps * stepRows, cluster.Ledger.Rows(runId).Count);
        Assert.True(Directory.Exists(Path.Combine(directory, runId, "step-00000001")), "the checkpoint of step 1 was not written");
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
