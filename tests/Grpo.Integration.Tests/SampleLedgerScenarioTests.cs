using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpo.Core.Algorithm;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The sample ledger on real silo processes and PostgreSQL: after a run with sample_ledger, the table holds each trained
/// completion exactly once, with the rewards the run reported and the advantages it trained with, and grpo samples reads
/// them back; the same holds when the learner's silo is killed and a standby retrains the steps after its checkpoint.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class SampleLedgerScenarioTests(PostgresServer server, ITestOutputHelper output)
{
    private const int PromptsPerStep = 4;
    private const int GroupSize = 4;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(3);

    // The last step's rows are written in the background, possibly just after the run reports completion.
    private static readonly TimeSpan LedgerTimeout = TimeSpan.FromMinutes(1);

    private static string Config(int steps, int checkpointEvery, int batchWaitMs) => $$"""
        {
          "seed": 11,
          "steps": {{steps}},
          "prompts_per_step": {{PromptsPerStep}},
          "group_size": {{GroupSize}},
          "minibatch_size": {{PromptsPerStep * GroupSize}},
          "max_completion_tokens": 4,
          "task": {"name": "arithmetic", "max_operand": 9},
          "held_out_size": 16,
          "warmup_sft_steps": 10,
          "eval_every": 0,
          "checkpoint_every": {{checkpointEvery}},
          "keep_checkpoints": 4,
          "completion_timeout_seconds": 10,
          "rollout_batch_wait_ms": {{batchWaitMs}},
          "sample_ledger": true
        }
        """;

    [Fact]
    public async Task A_run_on_real_silos_records_each_trained_completion_once_and_grpo_samples_reads_them_back()
    {
        const string runId = "ledger-run";
        const int steps = 6;
        var clock = Stopwatch.StartNew();
        await using var cluster = await ScenarioCluster.StartAsync(server, "learner", "rollout");

        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config(steps, checkpointEvery: 0, batchWaitMs: 0)), "--run-id", runId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));
        var finished = await cluster.WaitUntilAsync(runId, run => run.Status.IsFinished, PhaseTimeout);
        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}\n{cluster.Logs()}");

        var rows = await WaitForLedgerAsync(cluster, runId, steps * PromptsPerStep * GroupSize);
        AssertEachTrainedCompletionOnce(rows, finished, steps);
        // One learner, never replaced: every completion came from an image it published, and one image per version.
        Assert.Single(rows.Select(row => row.Lineage).Distinct());
        Assert.All(rows, row => Assert.Matches("^[0-9A-F]{64}$", row.ImageSha256 ?? ""));
        Assert.All(rows.GroupBy(row => (row.Lineage, row.PolicyVersion)), same => Assert.Single(same.Select(row => row.ImageSha256).Distinct()));

        // grpo samples, the real client, returns the same rows: all of them, and one step's alone.
        var all = await SamplesAsync(cluster, runId, "--limit", "100000");
        Assert.Equal(rows.Select(row => (row.Step, row.PromptIndex, row.SampleIndex, row.Reward, row.Advantage)),
            all.Select(sample => (sample.Step, sample.PromptIndex, sample.SampleIndex, sample.Reward, sample.Advantage)));
        var stepTwo = await SamplesAsync(cluster, runId, "--step", "2");
        Assert.Equal(PromptsPerStep * GroupSize, stepTwo.Count);
        Assert.All(stepTwo, sample => Assert.Equal(2, sample.Step));
        output.WriteLine($"scenario took {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task A_learner_silo_killed_mid_run_leaves_each_trained_completion_once_with_the_retrained_steps_replaced()
    {
        const string runId = "ledger-crash-run";
        const int steps = 20;
        const int checkpointEvery = 5;
        var clock = Stopwatch.StartNew();
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner", "rollout,learner");
        var learnerSilos = cluster.Silos.ToArray();

        // Every step waits 600 ms for its batch, so the run cannot outpace the polling below.
        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config(steps, checkpointEvery, batchWaitMs: 600)), "--run-id", runId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));
        await WaitForAsync(async () => await LedgerTableRow.HighestStepAsync(cluster.ConnectionString, runId) >= 0, "the ledger's first rows", cluster);
        var learnerSilo = await LearnerSiloAsync(cluster, runId, learnerSilos);
        var standby = Assert.Single(learnerSilos, silo => silo != learnerSilo);

        // Killed once the ledger holds steps after a checkpoint and the next checkpoint is at least two steps away: the
        // learner (whose checkpoints wait for its rows) has written no newer checkpoint, so the standby restores the one
        // before those steps and trains them again, writing their keys a second time.
        var highest = -1L;
        await WaitForAsync(async () =>
        {
            highest = await LedgerTableRow.HighestStepAsync(cluster.ConnectionString, runId);
            if (highest >= steps - 1)
            {
                throw new InvalidOperationException($"run {runId} trained every step before the learner's silo could be killed.\n{cluster.Logs()}");
            }

            return highest >= checkpointEvery && highest % checkpointEvery is >= 1 and <= checkpointEvery - 3;
        }, "a ledger step between checkpoints", cluster, poll: TimeSpan.FromMilliseconds(100));
        learnerSilo.Kill();
        var killedAt = await LedgerTableRow.DatabaseNowAsync(cluster.ConnectionString);
        var beforeKill = await LedgerTableRow.ReadAsync(cluster.ConnectionString, runId);
        output.WriteLine($"killed learner silo {learnerSilo.SiloPort} with steps 0-{highest} in the ledger; standby {standby.SiloPort}");

        var finished = await cluster.WaitUntilAsync(runId, run => run.Status.IsFinished, PhaseTimeout);
        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}\n{cluster.Logs()}");
        Assert.Equal(steps, finished.Status.Step);
        var restored = RestoredFrom().Matches(standby.Output);
        Assert.True(restored.Count > 0, $"the standby learner silo restored no checkpoint:\n{standby.Output}");
        var restoredStep = int.Parse(restored[^1].Groups["step"].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"the standby restored the checkpoint of step {restoredStep}");
        Assert.InRange(restoredStep, checkpointEvery, highest);

        var rows = await WaitForLedgerAsync(cluster, runId, steps * PromptsPerStep * GroupSize);
        AssertEachTrainedCompletionOnce(rows, finished, steps);

        // Steps before the checkpoint kept the rows the lost learner wrote; every step after it holds only the rows of its
        // retraining, sampled under the standby's new lineage, including the steps whose first rows were there at the kill.
        var lostLineages = beforeKill.Select(row => row.Lineage).ToHashSet();
        Assert.Contains(beforeKill, row => row.Step >= restoredStep);
        Assert.All(rows.Where(row => row.Step < restoredStep), row =>
        {
            Assert.True(row.RecordedAt < killedAt, $"step {row.Step} was written again after the kill, though the checkpoint of step {restoredStep} holds it");
            Assert.Contains(row.Lineage, lostLineages);
        });
        Assert.All(rows.Where(row => row.Step >= restoredStep), row =>
        {
            Assert.True(row.RecordedAt > killedAt, $"step {row.Step} (prompt {row.PromptIndex}, sample {row.SampleIndex}) kept a row written before the kill");
            Assert.DoesNotContain(row.Lineage, lostLineages);
        });
        Assert.All(rows, row => Assert.NotNull(row.ImageSha256));
        output.WriteLine($"scenario took {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Exactly one row per (step, prompt, sample) of every step, as many per step as the run trained, with the step's mean
    /// reward and silos as the run reported them, and each group's advantages those its rewards give (the run's estimator).
    /// </summary>
    private static void AssertEachTrainedCompletionOnce(List<LedgerTableRow> rows, ReportedRun run, int steps)
    {
        Assert.Equal(steps * PromptsPerStep * GroupSize, rows.Count);
        Assert.Equal(rows.Count, rows.Select(row => (row.Step, row.PromptIndex, row.SampleIndex)).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, steps).Select(step => (long)step), rows.Select(row => row.Step).Distinct());
        Assert.Equal(Enumerable.Range(0, steps).Select(step => (long)step), run.Metrics.Select(step => step.Step));
        var estimator = new GrpoAdvantageEstimator();
        foreach (var step in rows.GroupBy(row => row.Step))
        {
            var metrics = run.Metrics.Single(m => m.Step == step.Key);
            Assert.Equal(metrics.Completions, step.Count());
            Assert.Equal(PromptsPerStep, step.Select(row => row.PromptIndex).Distinct().Count());
            Assert.True(Math.Abs(step.Average(row => (double)row.Reward) - metrics.MeanReward) < 1e-4,
                $"step {step.Key}: the ledger's mean reward is {step.Average(row => row.Reward)}, the run reported {metrics.MeanReward}");
            Assert.Equal(metrics.CompletionsBySilo.OrderBy(silo => silo.Key),
                step.GroupBy(row => row.Silo).Select(silo => KeyValuePair.Create(silo.Key, silo.Count())).OrderBy(silo => silo.Key));
            foreach (var group in step.GroupBy(row => row.PromptIndex))
            {
                Assert.Equal(Enumerable.Range(0, GroupSize), group.Select(row => row.SampleIndex));
                var advantages = estimator.Compute([.. group.Select(row => row.Reward)], GroupSize).Advantages;
                Assert.Equal(advantages, group.Select(row => row.Advantage), (expected, actual) => Math.Abs(expected - actual) < 1e-5f);
            }
        }

        Assert.All(rows, row => Assert.Equal(row.Reward, row.RewardComponents.Values.Sum(), 4));
    }

    private async Task<List<LedgerTableRow>> WaitForLedgerAsync(ScenarioCluster cluster, string runId, int expected)
    {
        List<LedgerTableRow> rows = [];
        await WaitForAsync(async () => (rows = await LedgerTableRow.ReadAsync(cluster.ConnectionString, runId)).Count >= expected,
            $"{expected} ledger rows", cluster, LedgerTimeout);
        output.WriteLine($"{rows.Count} ledger rows of run {runId}");
        return rows;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, ScenarioCluster cluster, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? PhaseTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {(timeout ?? PhaseTimeout).TotalSeconds} s for {what} in vain.\n{cluster.Logs()}");
            }

            await Task.Delay(poll ?? TimeSpan.FromSeconds(1));
        }
    }

    /// <summary><c>grpo samples ID --json</c> through the built client, with the connection string in GRPO_CLUSTER.</summary>
    private static async Task<List<PrintedSample>> SamplesAsync(ScenarioCluster cluster, string runId, params string[] options)
    {
        var result = await GrpoClientProcess.RunAsync(["samples", runId, "--json", .. options], cluster.ConnectionString, workingDirectory: cluster.Folder);
        Assert.True(result.ExitCode == 0, result.Describe("grpo samples --json"));
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<PrintedSample>(line, JsonOptions) ?? throw new JsonException($"grpo samples printed null: {line}"))];
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record PrintedSample(long Step, int PromptIndex, int SampleIndex, float Reward, float Advantage);

    private static async Task<SiloProcess> LearnerSiloAsync(ScenarioCluster cluster, string runId, SiloProcess[] learnerSilos)
    {
        var ports = await GrainLocation.SiloPortsHostingAsync(cluster.ConnectionString, cluster.ClusterId, "LearnerGrain", runId,
            learnerSilos.Select(silo => silo.SiloPort).ToArray());
        return Assert.Single(learnerSilos, silo => ports.Contains(silo.SiloPort));
    }

    [GeneratedRegex(@"restored from checkpoint \S+ at step (?<step>\d+)")]
    private static partial Regex RestoredFrom();
}
