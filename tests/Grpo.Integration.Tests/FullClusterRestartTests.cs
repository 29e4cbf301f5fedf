using System.Text.Json;
using Grpo.Core.Checkpoints;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The whole cluster stops mid-run and starts again: <c>grpo resume</c> continues the run at the last checkpoint's step
/// and policy version, and it finishes with every step recorded once; a truncated newest checkpoint is named by eval,
/// resume, status and the log, and the run continues from the one before it. Real PostgreSQL, real silo and client processes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FullClusterRestartTests(PostgresServer server, ITestOutputHelper log) : IAsyncLifetime
{
    private const string RunId = "restart-run";
    private const int Steps = 20;
    private const int CheckpointEvery = 5;
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(90);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "grpo-it-restart-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string clusterId = "it-restart-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<SiloProcess> silos = [];
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private string connection = "";

    private string Checkpoints => Path.Combine(folder, "checkpoints");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        connection = await server.CreateDatabaseWithSchemaAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Every_silo_stopped_and_started_again_then_resume_continues_at_the_last_checkpoint_and_the_run_finishes()
    {
        var (newest, checkpointStep) = await RunUntilCheckpointThenStopEverySiloAsync();

        await StartClusterAsync("second");
        var resume = await ClientAsync("resume", RunId);
        Assert.True(resume.ExitCode == 0, resume.Describe("grpo resume"));
        Assert.StartsWith($"run {RunId}: resumed at step ", resume.StandardOutput);
        Log(resume.StandardOutput.Trim());

        var output = Path.Combine(folder, "watch");
        var watch = await ClientAsync(TimeSpan.FromMinutes(3), "watch", RunId, "--out", output);
        Assert.True(watch.ExitCode == 0, watch.Describe("grpo watch") + Logs());
        Log("run completed");

        // The learner of the restarted cluster loaded the newest checkpoint: the run went on at its step and version.
        Assert.Contains($"restored from checkpoint {newest} at step {checkpointStep}", Logs());
        var steps = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), steps.Select(s => s.GetProperty("step").GetInt64()));
        Assert.Equal(Enumerable.Range(1, Steps).Select(i => (long)i), steps.Select(s => s.GetProperty("policyVersion").GetInt64()));
        Assert.All(steps, s => Assert.Equal(4 * 4, s.GetProperty("completions").GetInt32()));

        var list = await ClientAsync("list", "--json");
        Assert.True(list.ExitCode == 0, list.Describe("grpo list"));
        var entry = Assert.Single(JsonDocument.Parse(list.StandardOutput).RootElement.EnumerateArray());
        Assert.Equal(RunId, entry.GetProperty("id").GetString());
        Assert.Equal("Completed", entry.GetProperty("state").GetString());
        Assert.Equal((long)Steps, entry.GetProperty("step").GetInt64());
        Assert.Equal((long)Steps, entry.GetProperty("policyVersion").GetInt64());
        Assert.Equal((long)Steps, entry.GetProperty("checkpointStep").GetInt64());

        var again = await ClientAsync("resume", RunId);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already completed", again.StandardError);
    }

    [Fact]
    public async Task A_truncated_newest_checkpoint_is_named_by_eval_resume_status_and_the_log_and_the_run_finishes_from_the_previous_one()
    {
        var (newest, checkpointStep) = await RunUntilCheckpointThenStopEverySiloAsync(stopAfterStep: 2 * CheckpointEvery);
        var runCheckpoints = Path.Combine(Checkpoints, RunId);
        var previous = Path.Combine(runCheckpoints, $"step-{checkpointStep - CheckpointEvery:D8}");
        Assert.True(Directory.Exists(previous), $"no checkpoint {previous} before the newest {newest}");
        var model = Path.Combine(newest, TrainingCheckpoint.ModelFileName);
        await using (var file = new FileStream(model, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        var truncatedHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(model)));
        var expectedWarning = $"checkpoint '{newest}' failed verification: file '{model}' is corrupt: ";
        var expectedUse = $"using checkpoint '{previous}' (step {checkpointStep - CheckpointEvery}) instead";

        // eval, before any silo runs, follows the learner's rule: the newest good checkpoint, the bad one named.
        var eval = await GrpoClientProcess.RunAsync(["eval", "--checkpoint", runCheckpoints, .. RunSettings, "--limit", "2"], cluster: null, ClientTimeout);
        Assert.True(eval.ExitCode == 0, eval.Describe("grpo eval"));
        Assert.Contains("grpo eval: warning: " + expectedWarning, eval.StandardError);
        Assert.Contains(expectedUse, eval.StandardError);
        Assert.Contains($"eval of checkpoint {previous} (step {checkpointStep - CheckpointEvery})", eval.StandardOutput);

        await StartClusterAsync("second");
        var resume = await ClientAsync("resume", RunId);
        Assert.True(resume.ExitCode == 0, resume.Describe("grpo resume"));
        Log(resume.StandardOutput.Trim() + " | " + resume.StandardError.Trim());
        // The learner may already have restored it by the time resume asks (a reminder re-activated the run first).
        Assert.Contains($"checkpoint step {checkpointStep - CheckpointEvery} ({previous})", resume.StandardOutput);
        Assert.Contains("grpo: warning: " + expectedWarning, resume.StandardError);
        Assert.Contains(expectedUse, resume.StandardError);

        var watch = await ClientAsync(TimeSpan.FromMinutes(3), "watch", RunId, "--out", Path.Combine(folder, "watch"));
        Assert.True(watch.ExitCode == 0, watch.Describe("grpo watch") + Logs());
        var status = await ClientAsync("status", RunId);
        Assert.Contains("Completed", status.StandardOutput);
        Assert.Contains("  checkpoint warning " + expectedWarning, status.StandardOutput);
        Assert.Contains(expectedUse, status.StandardOutput);
        Assert.Contains($"{expectedWarning}", Logs());
        Assert.Contains($"restored from checkpoint {previous} at step {checkpointStep - CheckpointEvery}", Logs());

        // The step was checkpointed again by the redone steps; the bad folder is kept aside, untouched, for inspection.
        Assert.Null(TrainingCheckpoint.Verify(newest));
        var keptAside = Assert.Single(Directory.GetDirectories(runCheckpoints, Path.GetFileName(newest) + TrainingCheckpoint.FailedVerificationSuffix + "*"));
        Assert.Equal(truncatedHash, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(keptAside, TrainingCheckpoint.ModelFileName)))));
    }

    /// <summary>The run's settings, for submit and for eval of its checkpoints (which needs the same task and model).</summary>
    private static readonly string[] RunSettings =
    [
        "--set", $"steps={Steps}", "--set", $"checkpoint_every={CheckpointEvery}", "--set", "keep_checkpoints=10",
        "--set", "prompts_per_step=4", "--set", "group_size=4", "--set", "minibatch_size=16", "--set", "max_completion_tokens=4",
        "--set", "task.max_operand=19", "--set", "warmup_sft_steps=20", "--set", "warmup_sft_target_accuracy=0",
        "--set", "held_out_size=16", "--set", "eval_every=0", "--set", "completion_timeout_seconds=20",
    ];

    /// <summary>
    /// Submits the ~20-step run, waits for its checkpoint of step <paramref name="stopAfterStep"/> and stops every silo;
    /// returns the newest checkpoint.
    /// </summary>
    private async Task<(string Newest, long Step)> RunUntilCheckpointThenStopEverySiloAsync(long stopAfterStep = CheckpointEvery)
    {
        await StartClusterAsync("first");
        var submit = await ClientAsync(["submit", "--run-id", RunId, .. RunSettings]);
        Assert.True(submit.ExitCode == 0, submit.Describe("grpo submit"));
        Assert.Equal(RunId, submit.StandardOutput.Trim());
        Log("run submitted");

        var runCheckpoints = Path.Combine(Checkpoints, RunId);
        await WaitForCheckpointAsync(runCheckpoints, stopAfterStep);
        foreach (var silo in silos.ToArray())
        {
            await silo.TerminateAsync();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            silos.Remove(silo);
            await silo.DisposeAsync();
        }

        var newest = TrainingCheckpoint.FindLatest(runCheckpoints) ?? throw new InvalidOperationException("no checkpoint survived the stop.");
        var checkpointStep = long.Parse(Path.GetFileName(newest)["step-".Length..]);
        Log($"every silo stopped; newest checkpoint {newest}");
        Assert.InRange(checkpointStep, stopAfterStep, Steps - 1);
        return (newest, checkpointStep);
    }

    private void Log(string message) => log.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1}s  {message}");

    private async Task StartClusterAsync(string generation)
    {
        // Started one after the other: the first silo creates the cluster's membership version row.
        foreach (var roles in new[] { "rollout,learner", "rollout" })
        {
            var silo = SiloProcess.StartInCluster(connection, clusterId, roles, Checkpoints);
            silos.Add(silo);
            await silo.WaitForJoinAsync(JoinTimeout);
        }
        Log($"{generation} cluster joined");
    }

    private async Task WaitForCheckpointAsync(string runCheckpoints, long step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (TrainingCheckpoint.FindLatest(runCheckpoints) is not { } latest || long.Parse(Path.GetFileName(latest)["step-".Length..]) < step)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no checkpoint of step {step} under {runCheckpoints} within 3 minutes.{Logs()}");
            }

            await Task.Delay(200);
        }
    }

    private Task<ScriptResult> ClientAsync(params string[] arguments) => ClientAsync(ClientTimeout, arguments);

    private Task<ScriptResult> ClientAsync(TimeSpan timeout, params string[] arguments) =>
        GrpoClientProcess.RunAsync([.. arguments, "--cluster-id", clusterId], connection, timeout);

    private string Logs() => string.Concat(silos.Select(silo => $"\n--- silo on port {silo.SiloPort} ---\n{silo.Output}"));
}
