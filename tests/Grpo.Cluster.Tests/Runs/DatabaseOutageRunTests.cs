using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains;
using Grpo.Grains.Resilience;
using Grpo.Hosting;
using Microsoft.Extensions.Logging;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// A database outage outlasting every retry budget the run once had: the run pauses and says so in its status and once
/// in the log, needs no restart of its learner, and continues when the database returns, its end stored and listed.
/// </summary>
public sealed class DatabaseOutageRunTests : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    // Before, each failed write was retried DatabaseAttempts times and the learner re-initialised up to 20 times.
    const int FormerBudget = 20 * GrpoResilience.DatabaseAttempts;

    readonly string directory = Path.Combine(Path.GetTempPath(), $"grpo-outage-tests-{Guid.NewGuid():N}");

    static RunConfig Quick(int steps) => RunScenario.Fast(steps) with
    {
        PromptsPerStep = 4, WarmupSftSteps = 0, WarmupSftTargetAccuracy = 0, HeldOutSize = 16,
    };

    [Fact]
    public async Task A_run_waits_out_an_outage_longer_than_any_retry_budget_says_so_and_completes_with_every_step_once()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly with { CheckpointDirectory = directory }, GrpoTestCluster.RolloutOnly);
        var config = Quick(steps: 6);
        var run = cluster.Client.GetGrain<IRunGrain>("outage-run");

        await run.StartAsync(config);
        await RunScenario.WaitUntilAsync(run, s => s.Step >= 2, RunTimeout);
        cluster.Storage.DatabaseDown = true;
        var waiting = await RunScenario.WaitUntilAsync(run, s => s.Phase == RunGrain.WaitingForDatabasePhase, RunTimeout);
        await WaitUntilAsync(() => cluster.Storage.RefusedWrites > FormerBudget, RunTimeout);
        var stillWaiting = await run.GetStatusAsync();
        cluster.Storage.DatabaseDown = false;
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        Assert.Equal(RunState.Training, waiting.State);
        Assert.Equal((RunState.Training, RunGrain.WaitingForDatabasePhase), (stillWaiting.State, stillWaiting.Phase));
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, await run.GetMetricsAsync(0));

        // Paused, not recovered from: the learner was never re-initialised, and the outage was announced and ended once.
        var lines = cluster.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.DoesNotContain(lines, line => line.Contains("the learner was lost", StringComparison.Ordinal));
        Assert.Single(lines, line => line.StartsWith("Run outage-run: waiting for the database", StringComparison.Ordinal));
        Assert.Single(lines, line => line.StartsWith("Run outage-run: the database answers again after", StringComparison.Ordinal));

        // The end is stored, not only held by the activation: the registry lists it, and a new activation reads it.
        var listed = Assert.Single(await cluster.Client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListAsync());
        Assert.Equal(RunState.Completed, listed.State);
        var runSilo = Assert.Single(await RunScenario.SilosHostingKey(cluster.Client, "RunGrain", "outage-run"));
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos.Single(s => s.SiloAddress == runSilo));
        Assert.Equal(RunState.Completed, (await run.GetStatusAsync()).State);
    }

    static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the condition did not hold within {timeout}.");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
