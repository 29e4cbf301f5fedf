using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Hosting;
using Grpo.TestPlugin;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>A step whose loss is not finite fails the run with the learner's message; nothing is trained, published or checkpointed.</summary>
public sealed class NonFiniteStepRunTests
{
    [Fact]
    public async Task A_non_finite_loss_fails_the_run_naming_the_step_and_writes_no_checkpoint()
    {
        var options = new GrpoSiloOptions { Components = registries => registries.AddFromAssembly(typeof(DoublingTask).Assembly) };
        await using var cluster = await GrpoTestCluster.StartAsync(options);
        // A factor beyond float32's range becomes infinity in the loss tensor: every token's loss is ±inf or NaN.
        var config = RunScenario.Fast(steps: 2) with
        {
            WarmupSftSteps = 0,
            CheckpointEvery = 1,
            PolicyLoss = new ComponentSpec("test_scaled_clip").WithParameter("factor", 1e39),
        };
        var run = cluster.Client.GetGrain<IRunGrain>("non-finite-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains("step 0 was not trained: non-finite loss", status.Error);
        Assert.Contains("optimizer update 1 of 1 of this learner step (update 1 of the learner)", status.Error);
        Assert.False(status.Resumable);
        Assert.Null(status.CheckpointPath);
        Assert.Empty(await run.GetMetricsAsync(0));
    }
}
