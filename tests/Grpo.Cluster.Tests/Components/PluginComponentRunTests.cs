using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Hosting;
using Grpo.TestPlugin;

namespace Grpo.Cluster.Tests.Components;

/// <summary>
/// A reward, a task, a policy loss and an advantage estimator that only a test assembly defines, registered without
/// touching product code, train a run; a silo that lacks them makes the run refused with its name.
/// </summary>
public sealed class PluginComponentRunTests
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    static GrpoSiloOptions WithPlugin(GrpoSiloOptions options) =>
        options with { Components = registries => registries.AddFromAssembly(typeof(DoublingTask).Assembly) };

    static RunConfig PluginRun() => RunScenario.Fast(steps: 2) with
    {
        Task = new ComponentSpec("test_doubling").WithParameter("max", 40),
        HeldOutSize = 8,
        Rewards = [new ComponentSpec("answer"), new ComponentSpec("test_digit_count").WithParameter("weight", 0.5)],
        PolicyLoss = new ComponentSpec("test_scaled_clip").WithParameter("factor", 0.25),
        AdvantageEstimator = "test_median_baseline",
        WarmupSftSteps = 10,
    };

    [Fact]
    public async Task A_run_trains_with_a_task_reward_loss_and_estimator_registered_from_a_test_assembly()
    {
        var before = new[] { "test_doubling", "test_digit_count", "test_scaled_clip", "test_median_baseline" }.ToDictionary(n => n, PluginUse.Of);
        await using var cluster = await GrpoTestCluster.StartAsync(WithPlugin(new GrpoSiloOptions()));
        var config = PluginRun();
        var run = cluster.Client.GetGrain<IRunGrain>("plugin-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        var metrics = await run.GetMetricsAsync(0);
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        Assert.All(metrics, step => Assert.Contains("test_digit_count", step.RewardComponents.Keys));
        foreach (var (component, count) in before)
        {
            Assert.True(PluginUse.Of(component) > count, $"{component} was never used");
        }
    }

    [Fact]
    public async Task A_run_naming_a_component_some_silo_lacks_is_refused_naming_the_component_and_the_silo()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(WithPlugin(GrpoTestCluster.LearnerOnly), GrpoTestCluster.RolloutOnly);
        var run = cluster.Client.GetGrain<IRunGrain>("refused-plugin-run");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.StartAsync(PluginRun()));

        Assert.Contains("task: task 'test_doubling' is not registered on silo", error.Message);
        Assert.Contains("rewards[1]: reward 'test_digit_count' is not registered on silo", error.Message);
        Assert.Contains("(rollout)", error.Message);
        Assert.Contains("--plugins DIR", error.Message);
        Assert.Equal(RunState.NotStarted, (await run.GetStatusAsync()).State);
    }
}
