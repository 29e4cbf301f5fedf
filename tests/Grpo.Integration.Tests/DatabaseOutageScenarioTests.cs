using System.Text.Json;
using System.Text.RegularExpressions;
using Grpo.Abstractions.Grains;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// PostgreSQL stopped for five minutes in the middle of a run of real silo processes: the run pauses (its status says it
/// waits for the database, the log says so once and then every minute), every silo stays up, and once the database is
/// back the run completes with every step trained once, listed as it ended.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class DatabaseOutageScenarioTests(PostgresServer server, ITestOutputHelper output)
{
    private const string RunId = "outage-run";
    private const int Steps = 20;
    private const int PromptsPerStep = 8;
    private const int GroupSize = 4;
    private const string WaitingForDatabase = "waiting for database";
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(5);

    private static readonly string Config = $$"""
        {
          "seed": 5,
          "steps": {{Steps}},
          "prompts_per_step": {{PromptsPerStep}},
          "group_size": {{GroupSize}},
          "minibatch_size": {{PromptsPerStep * GroupSize}},
          "max_completion_tokens": 4,
          "task": {"name": "arithmetic", "max_operand": 9},
          "held_out_size": 16,
          "warmup_sft_steps": 10,
          "eval_every": 0,
          "checkpoint_every": 5,
          "completion_timeout_seconds": 10,
          "rollout_batch_wait_ms": 300
        }
        """;

    [Fact]
    public async Task A_five_minute_database_outage_pauses_the_run_and_it_completes_afterwards_with_every_step_once()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner", "rollout");
        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config), "--run-id", RunId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));
        await cluster.WaitUntilAsync(RunId, run => run.Status.Step >= 3, PhaseTimeout);

        // The grpo client finds gateways in the database; this one is told where they are, so it can ask during the outage.
        await using var gateway = await GatewayClient.ConnectAsync(cluster.ClusterId, cluster.Silos);
        var run = gateway.Client.GetGrain<IRunGrain>(RunId);
        var phases = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await StopDatabaseAsync();
        output.WriteLine($"database stopped at step {(await run.GetStatusAsync()).Step}");
        try
        {
            // Until the outage has lasted its five minutes, the run is asked for its status (and the silos checked) each second.
            while (clock.Elapsed < Outage)
            {
                var status = await run.GetStatusAsync();
                Assert.False(status.IsFinished, $"the run ended {status.State} during the outage: {status.Error}");
                phases.Add(status.Phase);
                Assert.All(cluster.Silos, silo => Assert.False(silo.HasExited, $"silo {silo.SiloPort} exited during the outage:\n{silo.Output}"));
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            await server.InitializeAsync();
            output.WriteLine($"database started again after {clock.Elapsed.TotalSeconds:F0} s");
        }

        var finished = await cluster.WaitUntilAsync(RunId, reported => reported.Status.IsFinished, PhaseTimeout);

        output.WriteLine($"run ended {finished.Status.State} at step {finished.Status.Step}: {finished.Status.Error}");
        foreach (var line in cluster.Logs().Split('\n').Where(line => Outages().IsMatch(line)))
        {
            output.WriteLine(line);
        }

        Assert.True(finished.Status.State == "Completed", $"run ended {finished.Status.State}: {finished.Status.Error}\n{cluster.Logs()}");
        Assert.Equal(Enumerable.Range(0, Steps).Select(step => (long)step), finished.Metrics.Select(step => step.Step));
        Assert.Equal(Enumerable.Range(1, Steps).Select(step => (long)step), finished.Metrics.Select(step => step.PolicyVersion));
        Assert.All(finished.Metrics, step => Assert.Equal(PromptsPerStep * GroupSize, step.Completions));

        // The status said so for most of the outage (the first write to fail takes up to a step to come).
        Assert.True(phases.Count(phase => phase == WaitingForDatabase) > phases.Count / 2,
            $"the status said '{WaitingForDatabase}' {phases.Count(phase => phase == WaitingForDatabase)} times of {phases.Count}: {string.Join(", ", phases.Distinct())}");

        // Paused, not recovered from: no learner restart, the wait announced once and repeated once a minute, not per retry.
        var logs = cluster.Logs();
        Assert.DoesNotContain("the learner was lost", logs);
        Assert.Single(WaitStarted().Matches(logs));
        // Five minutes make four or five repeats, depending on how soon after the stop the first write failed.
        Assert.InRange(WaitRepeated().Matches(logs).Count, (int)Outage.TotalMinutes - 1, (int)Outage.TotalMinutes);
        Assert.Single(WaitEnded().Matches(logs));

        // grpo list reads the run registry, which was written once the database was back: it agrees with grpo status.
        var list = await cluster.ClientAsync("list", "--json");
        Assert.True(list.ExitCode == 0, list.Describe("grpo list"));
        var entry = Assert.Single(JsonDocument.Parse(list.StandardOutput).RootElement.EnumerateArray());
        Assert.Equal("Completed", entry.GetProperty("state").GetString());
        Assert.Equal((long)Steps, entry.GetProperty("step").GetInt64());
    }

    private async Task StopDatabaseAsync()
    {
        var stopped = await Script.RunAsync("stop-local.sh", ["--data-dir", server.DataDirectory], TimeSpan.FromMinutes(1));
        Assert.True(stopped.ExitCode == 0, stopped.Describe("stop-local.sh"));
    }

    [GeneratedRegex($"Run {RunId}: waiting for the database")]
    private static partial Regex WaitStarted();

    [GeneratedRegex($"Run {RunId}: still waiting for the database after")]
    private static partial Regex WaitRepeated();

    [GeneratedRegex($"Run {RunId}: the database answers again after")]
    private static partial Regex WaitEnded();

    [GeneratedRegex($"Run {RunId}: (waiting for|still waiting for|the database answers)")]
    private static partial Regex Outages();
}
