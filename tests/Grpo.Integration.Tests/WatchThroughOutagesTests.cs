using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The built <c>grpo watch</c> follows a run while the silo holding its learner is killed and then every silo is stopped
/// and started again: it reconnects each time, and ends with the run Completed and each step once in its files.
/// <c>grpo status --json</c> names the learner's silo, which is how the test finds the silo to kill. Real PostgreSQL,
/// real silo and client processes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WatchThroughOutagesTests(PostgresServer server, ITestOutputHelper output)
{
    private const string RunId = "watched-run";
    private const int Steps = 30;
    private const int CheckpointEvery = 5;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    // Every step waits out a 300 ms batch window, so the run outlasts the kill, the stop and the restart however idle the machine.
    private static readonly string Config = $$"""
        {
          "seed": 11,
          "steps": {{Steps}},
          "prompts_per_step": 4,
          "group_size": 4,
          "minibatch_size": 16,
          "max_completion_tokens": 4,
          "task": {"name": "arithmetic", "max_operand": 9},
          "held_out_size": 16,
          "warmup_sft_steps": 10,
          "eval_every": 0,
          "checkpoint_every": {{CheckpointEvery}},
          "keep_checkpoints": {{Steps / CheckpointEvery}},
          "completion_timeout_seconds": 10,
          "rollout_batch_wait_ms": 300
        }
        """;

    [Fact]
    public async Task Watch_through_a_learner_silo_kill_and_a_stop_of_every_silo_ends_completed_with_each_step_once_in_its_files()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner", "rollout,learner");
        var submitted = await cluster.ClientAsync("submit", "--config", cluster.WriteConfig("run.json", Config), "--run-id", RunId);
        Assert.True(submitted.ExitCode == 0, submitted.Describe("grpo submit"));

        var files = Path.Combine(cluster.Folder, "watch");
        var watch = GrpoClientProcess.RunAsync(
            ["watch", RunId, "--out", files, "--cluster-id", cluster.ClusterId], cluster.ConnectionString, WatchTimeout, cluster.Folder);

        // 1. The silo that status names as the learner's dies without warning once a checkpoint exists.
        var atKill = await cluster.WaitUntilAsync(RunId, run => run.Status.Step > CheckpointEvery, PhaseTimeout);
        var learnerSilo = await LearnerSiloAsync(cluster);
        var standby = Assert.Single(cluster.Silos, silo => silo != learnerSilo && !silo.HasExited);
        learnerSilo.Kill();
        Log($"killed learner silo {learnerSilo.SiloPort} at step {atKill.Status.Step}");

        // 2. Once the learner went on elsewhere, every silo stops gracefully, and the cluster starts again.
        var beforeStop = await cluster.WaitUntilAsync(RunId, run => run.Status.Step >= atKill.Status.Step + 3, PhaseTimeout);
        Assert.Equal(standby, await LearnerSiloAsync(cluster));
        foreach (var silo in cluster.Silos.Where(silo => !silo.HasExited).ToArray())
        {
            await silo.TerminateAsync();
            Assert.Equal(0, await silo.WaitForExitAsync(StopTimeout));
        }

        Log($"every silo stopped at step {beforeStop.Status.Step}");
        Assert.False(watch.IsCompleted, "grpo watch ended while the cluster was down:\n" + (watch.IsCompleted ? (await watch).Describe("grpo watch") : ""));
        foreach (var silo in new[] { cluster.Launch("rollout,learner"), cluster.Launch("rollout,learner") })
        {
            await cluster.WaitForJoinAsync(silo);
        }

        Log("cluster started again");

        // 3. The watch that saw all of it reports the run completed, having said each time it lost and found the cluster.
        var watched = await watch;
        Log(watched.StandardError.TrimEnd());
        Assert.True(watched.ExitCode == 0, watched.Describe("grpo watch") + "\n" + cluster.Logs());
        Assert.Contains($"run {RunId}: Completed", watched.StandardOutput);
        var stderr = watched.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(stderr, line => line.StartsWith("grpo: cluster '" + cluster.ClusterId + "' unreachable (", StringComparison.Ordinal));
        Assert.Contains(stderr, line => line.StartsWith("grpo: reconnected to cluster '" + cluster.ClusterId + "'.", StringComparison.Ordinal));
        // Lost connections were the client's problem: nothing it printed calls the run failed.
        Assert.DoesNotContain($"run {RunId}: Failed", watched.StandardOutput);
        Assert.DoesNotContain($"run {RunId} failed", watched.StandardError);
        AssertEachStepOnce(files);

        // 4. Watching the finished run again changes nothing in its files.
        var metricsBefore = await File.ReadAllTextAsync(Path.Combine(files, "metrics.jsonl"));
        var again = await GrpoClientProcess.RunAsync(
            ["watch", RunId, "--out", files, "--cluster-id", cluster.ClusterId], cluster.ConnectionString, TimeSpan.FromMinutes(2), cluster.Folder);
        Assert.True(again.ExitCode == 0, again.Describe("grpo watch (again)"));
        Assert.Equal(metricsBefore, await File.ReadAllTextAsync(Path.Combine(files, "metrics.jsonl")));
        AssertEachStepOnce(files);
    }

    private static void AssertEachStepOnce(string files)
    {
        var steps = File.ReadAllLines(Path.Combine(files, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(step => (long)step), steps.Select(step => step.GetProperty("step").GetInt64()));
        Assert.Equal(Enumerable.Range(1, Steps).Select(version => (long)version), steps.Select(step => step.GetProperty("policyVersion").GetInt64()));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(files, "summary.json")));
        Assert.Equal("Completed", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(Steps, summary.RootElement.GetProperty("steps").GetInt64());
    }

    /// <summary>The live silo whose port <c>grpo status --json</c> names as the learner's; asked until a learner is named.</summary>
    private async Task<SiloProcess> LearnerSiloAsync(ScenarioCluster cluster)
    {
        var deadline = DateTime.UtcNow + PhaseTimeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var status = await cluster.ClientAsync("status", RunId, "--json");
            if (status.ExitCode == 0
                && JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("learnerSilo").GetString() is { } address)
            {
                // e.g. 127.0.0.1:11111@154519611
                var port = int.Parse(address.Split('@')[0].Split(':')[^1], CultureInfo.InvariantCulture);
                var silo = cluster.Silos.SingleOrDefault(silo => silo.SiloPort == port && !silo.HasExited);
                if (silo is not null)
                {
                    Log($"learner silo per grpo status: {address}");
                    return silo;
                }

                last = $"status names {address}, which is no live silo";
            }
            else
            {
                last = status.ExitCode == 0 ? "status names no learner silo" : status.Describe("grpo status --json");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"grpo status --json named no live learner silo within {PhaseTimeout.TotalSeconds} s; last: {last}\n{cluster.Logs()}");
    }

    private void Log(string message) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss}  {message}");
}
