using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;

namespace Grpo.Cluster.Tests.Ledger;

/// <summary>A whole run with sample_ledger through the real grains: the learner hands every trained completion to the ledger once.</summary>
public sealed class SampleLedgerRunTests
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Every_trained_completion_reaches_the_ledger_exactly_once_with_what_the_run_reported()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly, GrpoTestCluster.RolloutOnly);
        // Every prompt of every step kept as a sample, so each ledger row can be compared with what the run reported.
        var config = RunScenario.Fast(steps: 5) with { SampleLedger = true, LogSamplesEvery = 1, LogSamplesPrompts = 8 };
        const string runId = "ledger-run";
        var run = cluster.Client.GetGrain<IRunGrain>(runId);

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);
        var samples = await run.GetSamplesAsync(0);
        var expected = config.Steps * config.PromptsPerStep * config.GroupSize;
        // The writer drains in the background: the last step's rows may land just after the run ended.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (cluster.Ledger.Rows(runId).Count < expected && DateTime.UtcNow < deadline) await Task.Delay(50);
        var rows = cluster.Ledger.Rows(runId);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal(expected, rows.Count);
        Assert.All(rows, row => Assert.Equal(1, cluster.Ledger.WritesOf(runId, row.Step, row.PromptIndex, row.SampleIndex)));
        Assert.All(metrics, m => Assert.Equal(0, m.LedgerDroppedRows));
        Assert.Equal(expected, samples.Sum(g => g.Completions.Length));
        foreach (var group in samples)
        {
            for (var i = 0; i < group.Completions.Length; i++)
            {
                var sample = group.Completions[i];
                var row = Assert.Single(rows, r => r.Step == group.Step && r.PromptIndex == group.PromptIndex && r.SampleIndex == i);
                Assert.Equal(sample.Reward, row.Reward);
                Assert.Equal(sample.Advantage, row.Advantage);
                Assert.Equal(sample.Text, row.Text);
                Assert.Equal(sample.Tokens, row.TokenCount);
                Assert.Equal(sample.PolicyVersion, row.PolicyVersion);
                Assert.Equal(sample.Truncated, row.FinishReason == "length");
                Assert.Equal(group.Prompt, row.Prompt);
            }
        }

        var silos = metrics.SelectMany(m => m.CompletionsBySilo.Keys).ToHashSet();
        Assert.All(rows, row =>
        {
            Assert.Contains(row.Silo, silos);
            Assert.Matches("^[0-9A-F]{64}$", row.ImageSha256 ?? "");
            Assert.Contains(row.FinishReason, new[] { "eos", "stop_string", "length" });
            Assert.NotEqual("any", row.Lineage);
            Assert.Equal(row.Reward, row.RewardComponents.Values.Sum(), 4);
        });
        // Completions sampled from one version of one lineage came from one image.
        Assert.All(rows.GroupBy(r => (r.Lineage, r.PolicyVersion)), same => Assert.Single(same.Select(r => r.ImageSha256).Distinct()));
    }
}
