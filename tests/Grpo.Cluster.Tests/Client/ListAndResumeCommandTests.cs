using System.CommandLine;
using System.Text.Json;
using Grpo.Abstractions.Contracts;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Client;

/// <summary><c>grpo list</c> and <c>grpo resume</c> against scripted runs: every outcome and every error path.</summary>
public sealed class ListAndResumeCommandTests
{
    private const string Connection = "Host=db;Database=grpo;Username=grpo;Password=secret";

    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private FakeClusterConnector connector = new();

    [Theory]
    [InlineData("list")]
    [InlineData("resume", "r")]
    public async Task Without_a_cluster_list_and_resume_exit_with_2_and_connect_nowhere(params string[] args)
    {
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync(args));
        Assert.Contains("GRPO_CLUSTER", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Theory]
    [InlineData("resume")]
    [InlineData("resume", "a", "b")]
    [InlineData("list", "extra")]
    [InlineData("list", "--json", "yes")]
    public async Task A_missing_id_or_an_extra_argument_is_a_parse_error(params string[] args)
    {
        Assert.NotEqual(0, await InvokeAsync([.. args, "--cluster", Connection]));
        Assert.NotEqual("", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task A_cluster_configuration_problem_exits_with_4_for_list_and_resume()
    {
        const string message = "PostgreSQL at db:5432 is unreachable (connection refused): start the server or correct Host and Port in the cluster connection string.";
        connector = new FakeClusterConnector { ConnectFailure = new ClusterConfigurationException(ClusterProblem.Unreachable, message) };

        foreach (var args in new[] { ["list"], new[] { "resume", "r" } })
        {
            error.GetStringBuilder().Clear();
            Assert.Equal(ExitCodes.ClusterUnavailable, await InvokeAsync([.. args, "--cluster", Connection]));
            // A cluster never reached is not tried again, by list or by resume.
            Assert.Equal("grpo: " + message + Environment.NewLine, error.ToString());
        }
    }

    [Fact]
    public async Task List_prints_one_row_per_run_with_state_step_version_and_checkpoint()
    {
        var running = await StartedRunAsync("job-1");
        await running.GetStatusAsync();
        await running.GetStatusAsync();
        running.Checkpointed(2);
        var stopped = await StartedRunAsync("job-22");
        await stopped.StopAsync();

        Assert.Equal(ExitCodes.Success, await InvokeAsync("list", "--cluster", Connection));

        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal(["ID", "STATE", "STEP", "VERSION", "CHECKPOINT", "STARTED"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["job-1", "Training", "2/6", "2", "2"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.Equal(["job-22", "Stopped", "0/6", "0", "-"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        // Columns line up: every row's state starts where the header's does.
        Assert.All(lines, line => Assert.Equal(lines[0].IndexOf("STATE", StringComparison.Ordinal), line.IndexOf(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], StringComparison.Ordinal)));
        Assert.Equal("", error.ToString());
        Assert.Equal(0, running.StopCalls + running.ResumeCalls);
    }

    [Fact]
    public async Task List_json_is_an_array_with_id_state_step_total_version_checkpoint_and_start()
    {
        var run = await StartedRunAsync("job-1");
        await run.GetStatusAsync();
        run.Checkpointed(1);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("list", "--json", "--cluster", Connection));

        using var json = JsonDocument.Parse(output.ToString());
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("job-1", entry.GetProperty("id").GetString());
        Assert.Equal("Training", entry.GetProperty("state").GetString());
        Assert.Equal(1, entry.GetProperty("step").GetInt64());
        Assert.Equal(6, entry.GetProperty("totalSteps").GetInt64());
        Assert.Equal(1, entry.GetProperty("policyVersion").GetInt64());
        Assert.Equal(1, entry.GetProperty("checkpointStep").GetInt64());
        Assert.Equal("/checkpoints/job-1/step-00000001", entry.GetProperty("checkpointPath").GetString());
        Assert.True(entry.TryGetProperty("startedAt", out _));
    }

    [Fact]
    public async Task List_of_a_cluster_without_runs_says_so_and_json_is_an_empty_array()
    {
        Assert.Equal(ExitCodes.Success, await InvokeAsync("list", "--cluster", Connection));
        Assert.Equal("no runs" + Environment.NewLine, output.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await InvokeAsync("list", "--json", "--cluster", Connection));
        Assert.Equal(0, JsonDocument.Parse(output.ToString()).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_list_call_that_fails_for_a_reason_other_than_the_connection_exits_with_5_and_says_what_failed()
    {
        connector = new FakeClusterConnector { ListFailure = new InvalidOperationException("registry corrupt") };

        Assert.Equal(ExitCodes.ClientFailed, await InvokeAsync("list", "--cluster", Connection));

        Assert.Equal("grpo: list: registry corrupt" + Environment.NewLine, error.ToString());
        Assert.Single(connector.Connections);
        Assert.Equal(1, connector.Disconnects);
    }

    [Fact]
    public async Task Resume_of_a_stopped_run_continues_it_and_names_the_checkpoint_the_learner_restores()
    {
        var run = await StartedRunAsync("job-1");
        await run.GetStatusAsync();
        run.Checkpointed(1);
        await run.StopAsync();
        run.LearnerStart = new LearnerResumePoint(null, "/checkpoints/job-1/step-00000001", 1, null, false);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal(1, run.ResumeCalls);
        Assert.Equal(RunState.Training, run.Current.State);
        Assert.Equal("run job-1: resumed at step 1/6; the learner restores checkpoint step 1 (/checkpoints/job-1/step-00000001)" + Environment.NewLine, output.ToString());
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Resume_past_a_bad_newest_checkpoint_names_the_one_used_and_warns_naming_the_bad_one()
    {
        var run = await StartedRunAsync("job-1");
        await run.GetStatusAsync();
        run.Checkpointed(4);
        await run.StopAsync();
        const string warning = "checkpoint '/checkpoints/job-1/step-00000004' failed verification: file '/checkpoints/job-1/step-00000004/model.safetensors' is corrupt: "
                               + "10 bytes where '/checkpoints/job-1/step-00000004/trainer_state.json' records 20 (truncated or extended); "
                               + "using checkpoint '/checkpoints/job-1/step-00000002' (step 2) instead";
        run.LearnerStart = new LearnerResumePoint(null, "/checkpoints/job-1/step-00000002", 2, warning, false);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("run job-1: resumed at step 1/6; the learner restores checkpoint step 2 (/checkpoints/job-1/step-00000002)" + Environment.NewLine, output.ToString());
        Assert.Equal("grpo: warning: " + warning + Environment.NewLine, error.ToString());
    }

    [Theory]
    [InlineData(7L, "/checkpoints/job-1/step-00000004", 4L, false, "the learner continues from its live policy at step 7, restored from checkpoint step 4 (/checkpoints/job-1/step-00000004)")]
    [InlineData(3L, null, null, false, "the learner continues from its live policy at step 3")]
    [InlineData(null, null, null, false, "the learner starts from step 0 (no checkpoint)")]
    [InlineData(null, null, null, true, "the learner will refuse to start: no checkpoint passed checksum verification")]
    public async Task Resume_says_where_the_learner_continues(long? live, string? checkpoint, long? step, bool refused, string expected)
    {
        var run = await StartedRunAsync("job-1");
        await run.StopAsync();
        run.LearnerStart = new LearnerResumePoint(live, checkpoint, step, null, refused);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("run job-1: resumed at step 0/6; " + expected + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Resume_of_a_run_failed_by_the_cluster_continues_it()
    {
        var run = await StartedRunAsync("job-1");
        run.Fail("the learner's silo was lost", resumable: true);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal(RunState.Training, run.Current.State);
        Assert.Equal("run job-1: resumed at step 0/6; the learner could not be asked where it continues; grpo status names its checkpoint once it has started"
                     + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Resume_of_a_running_run_prints_its_status_and_exits_0()
    {
        var run = await StartedRunAsync("job-1");
        await run.GetStatusAsync();

        Assert.Equal(ExitCodes.Success, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("run job-1: already running (Training), step 1/6, policy version 1" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Resume_of_a_completed_run_exits_with_1_and_says_there_is_nothing_to_resume()
    {
        var run = await StartedRunAsync("job-1");
        while (!(await run.GetStatusAsync()).IsFinished)
        {
        }

        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("grpo: run job-1 already completed (6/6 steps); there is nothing to resume." + Environment.NewLine, error.ToString());
        Assert.Equal(RunState.Completed, run.Current.State);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task Resume_of_a_run_failed_by_its_own_training_exits_with_1_and_gives_the_error()
    {
        var run = await StartedRunAsync("job-1");
        run.Fail("learner diverged", resumable: false);

        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("grpo: run job-1 failed (learner diverged); a resume cannot fix that cause: submit a new run." + Environment.NewLine, error.ToString());
        Assert.Equal(RunState.Failed, run.Current.State);
    }

    [Fact]
    public async Task Resume_of_an_unknown_run_exits_with_1_and_starts_nothing()
    {
        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("resume", "ghost", "--cluster", Connection));

        Assert.Equal("grpo: no run named ghost" + Environment.NewLine, error.ToString());
        Assert.Null(connector.Runs["ghost"].StartedWith);
        Assert.Equal(RunState.NotStarted, connector.Runs["ghost"].Current.State);
    }

    [Fact]
    public async Task A_resume_call_that_fails_exits_with_1_and_names_the_run()
    {
        var run = new ScriptedRunGrain("job-1", totalSteps: 6) { ResumeFailure = new InvalidOperationException("storage unavailable") };
        await run.StartAsync(new());
        connector.Runs["job-1"] = run;

        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("resume", "job-1", "--cluster", Connection));

        Assert.Equal("grpo: run job-1: storage unavailable" + Environment.NewLine, error.ToString());
    }

    private async Task<ScriptedRunGrain> StartedRunAsync(string runId)
    {
        var run = new ScriptedRunGrain(runId, totalSteps: 6);
        await run.StartAsync(new() { Seed = 7 });
        connector.Runs[runId] = run;
        return run;
    }

    private Task<int> InvokeAsync(params string[] args)
    {
        var watcher = new RunWatcher(new PlainProgressView(output), output, error, new TrainSettings { PollInterval = TimeSpan.FromMilliseconds(5) });
        var cluster = new ClusterCommands(connector, watcher, output, error, FastReconnect);
        var root = GrpoCommandLine.Create(new UnusedTrainRunner(), cluster, environment: _ => null);
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>No waiting between attempts, and two retries before a command gives up.</summary>
    internal static ReconnectPolicy FastReconnect { get; } = new(TimeSpan.Zero, TimeSpan.Zero, Retries: 2);

    private sealed class UnusedTrainRunner : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the cluster commands must not train in-process");
    }
}
