using System.Text.Json;
using Xunit.Abstractions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The README's stop/resume walkthrough, command for command, on real silo and client processes: submit a run long
/// enough to stop, status, stop, status until Stopped, resume, watch to the end. Only the run is shorter than the
/// README's, so that the test ends in minutes; each command and what it prints is the same.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StopResumeWalkthroughTests(PostgresServer server, ITestOutputHelper output)
{
    private const string RunId = "long-run";
    private const int Steps = 40;
    private const int CheckpointEvery = 4;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Submit_status_stop_resume_and_watch_work_as_the_readme_shows_and_the_files_hold_each_step_once()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner", "rollout");

        // The README's run with smaller sizes, and a batch window that makes each step outlast the client's round trips.
        var submit = await cluster.ClientAsync("submit", "--run-id", RunId, "--set", $"steps={Steps}", "--set", $"checkpoint_every={CheckpointEvery}",
            "--set", "prompts_per_step=4", "--set", "group_size=4", "--set", "minibatch_size=16", "--set", "max_completion_tokens=4",
            "--set", "warmup_sft_steps=10", "--set", "held_out_size=16", "--set", "eval_every=0", "--set", "rollout_batch_wait_ms=300");
        Assert.True(submit.ExitCode == 0, submit.Describe("grpo submit"));
        Assert.Equal(RunId, submit.StandardOutput.Trim());

        await cluster.WaitUntilAsync(RunId, run => run.Status.Step > CheckpointEvery, PhaseTimeout);
        var status = await cluster.ClientAsync("status", RunId);
        Assert.True(status.ExitCode == 0, status.Describe("grpo status"));
        output.WriteLine(status.StandardOutput);
        Assert.StartsWith($"run {RunId}: Training", status.StandardOutput);
        Assert.Matches(@"\n  last checkpoint    step \d+ \(.+step-\d{8}\)\n", status.StandardOutput);
        Assert.Matches(@"\n  learner silo       127\.0\.0\.1:\d+@\d+\n", status.StandardOutput);

        var stop = await cluster.ClientAsync("stop", RunId);
        Assert.True(stop.ExitCode == 0, stop.Describe("grpo stop"));
        Assert.Matches($"^run {RunId}: (Training|WarmingUp), stop requested$", stop.StandardOutput.Trim());

        var stopped = await cluster.WaitUntilAsync(RunId, run => run.Status.State == "Stopped", PhaseTimeout);
        Assert.InRange(stopped.Status.Step, CheckpointEvery + 1, Steps - 1);
        var stoppedStatus = await cluster.ClientAsync("status", RunId);
        Assert.StartsWith($"run {RunId}: Stopped", stoppedStatus.StandardOutput);

        var resume = await cluster.ClientAsync("resume", RunId);
        Assert.True(resume.ExitCode == 0, resume.Describe("grpo resume"));
        Assert.StartsWith($"run {RunId}: resumed at step {stopped.Status.Step}/{Steps}; the learner ", resume.StandardOutput);
        output.WriteLine(resume.StandardOutput);

        var files = Path.Combine(cluster.Folder, "runs", RunId);
        var watch = await GrpoClientProcess.RunAsync(["watch", RunId, "--cluster-id", cluster.ClusterId], cluster.ConnectionString, PhaseTimeout, cluster.Folder);
        Assert.True(watch.ExitCode == 0, watch.Describe("grpo watch") + "\n" + cluster.Logs());
        Assert.Contains($"run {RunId}: Completed", watch.StandardOutput);
        var steps = File.ReadAllLines(Path.Combine(files, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64());
        Assert.Equal(Enumerable.Range(0, Steps).Select(step => (long)step), steps);
    }
}
