using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Rollout;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>An async run with partial_rollouts on, through the real grains on an in-process cluster.</summary>
public sealed class PartialRolloutRunTests(ITestOutputHelper output)
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task An_async_run_with_partial_rollouts_completes_and_reports_the_tokens_older_versions_sampled()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        // Longer completions than the fast scenario's, so rows are more often still decoding when the next version lands.
        var config = RunScenario.Fast(steps: 8) with { MaxStaleness = 1, PartialRollouts = true, MaxCompletionTokens = 24 };
        var run = cluster.Client.GetGrain<IRunGrain>("partial-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        // Staleness counts from a completion's oldest token, so partial rollouts never stretch it past max_staleness.
        Assert.All(metrics, m => Assert.InRange(m.MaxStaleness, 0, 1));
        Assert.All(metrics, m => Assert.InRange(m.TokensFromOlderVersionFraction, 0f, 1f));
        var engines = cluster.Cluster.Silos.Select(silo => silo.ServiceProvider.GetService<RolloutEngine>()).OfType<RolloutEngine>().ToArray();
        var switches = engines.Sum(engine => engine.Stats.SwitchesWhileDecoding);
        var rowsSwitched = engines.Sum(engine => engine.Stats.RowsSwitched);
        output.WriteLine($"switches while decoding {switches}, rows switched {rowsSwitched}; older-version token fraction per step: " +
                         string.Join(", ", metrics.Select(m => m.TokensFromOlderVersionFraction.ToString("0.000"))));
        // Every completion is trained (no group is filtered), so a row that switched shows in its step's figure and only such rows do.
        Assert.Equal(rowsSwitched > 0, metrics.Any(m => m.TokensFromOlderVersionFraction > 0));
    }
}
