using System.CommandLine;
using System.Text.Json;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Client;

/// <summary>
/// watch, status and list against a cluster whose gateways drop and come back: they reconnect, print one line per
/// attempt, and never record a run state they did not read from the cluster.
/// </summary>
public sealed class ReconnectTests : IDisposable
{
    private const string Connection = "Host=db;Database=grpo;Username=grpo;Password=secret";
    private const string ResponseLost = "Response did not arrive on time in 00:00:30 for message: Request GetStatus.";

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private FakeClusterConnector connector = new();

    public void Dispose() => folder.Dispose();

    private string OutDir => Path.Combine(folder.Path, "out");

    [Fact]
    public async Task Watch_reconnects_through_a_lost_gateway_and_a_stopped_cluster_and_ends_completed_with_each_step_once()
    {
        // Poll 4 loses its gateway; the reconnects then find no gateway twice before the cluster is back.
        var run = await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            PollFailure = poll =>
            {
                if (poll != 4)
                {
                    return null;
                }

                connector.NextConnectFailures.Enqueue(new OrleansException("No gateways available"));
                connector.NextConnectFailures.Enqueue(new TimeoutException("no silo answered within 15 s"));
                return new TimeoutException(ResponseLost);
            },
        });

        var exitCode = await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir);

        Assert.True(exitCode == ExitCodes.Success, error.ToString());
        Assert.Equal([1L, 2, 3, 4, 5, 6], StepsIn(Path.Combine(OutDir, "metrics.jsonl")));
        Assert.Equal("Completed", SummaryState());
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "grpo: cluster 'grpo' unreachable (Response did not arrive on time in 00:00:30 for message: Request GetStatus.); reconnecting in 1 s (attempt 1).",
                "grpo: cluster 'grpo' unreachable (No gateways available); reconnecting in 1 s (attempt 2).",
                "grpo: cluster 'grpo' unreachable (no silo answered within 15 s); reconnecting in 1 s (attempt 3).",
                "grpo: reconnected to cluster 'grpo'.",
            ],
            lines);
        // One connection attempt at the start and one per reconnect; both connections made (the lost one, the last one) were closed.
        Assert.Equal(4, connector.Connections.Count);
        Assert.Equal(2, connector.Disconnects);
        Assert.Equal(0, run.StopCalls);
    }

    [Fact]
    public async Task Watching_again_after_a_watch_that_ended_early_writes_each_step_once()
    {
        using var cancel = new CancellationTokenSource();
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            OnStatusPoll = poll => { if (poll == 4) { cancel.Cancel(); } },
        });
        Assert.Equal(ExitCodes.Interrupted, await InvokeAsync(cancel.Token, "watch", "job-1", "--cluster", Connection, "--out", OutDir));
        Assert.Equal([1L, 2, 3], StepsIn(Path.Combine(OutDir, "metrics.jsonl")));

        Assert.Equal(ExitCodes.Success, await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir));
        Assert.Equal(ExitCodes.Success, await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir));

        Assert.Equal([1L, 2, 3, 4, 5, 6], StepsIn(Path.Combine(OutDir, "metrics.jsonl")));
        Assert.Equal("Completed", SummaryState());
    }

    [Theory]
    [InlineData(2)] // seen: the status goes back to step 2 and the redone steps arrive one by one
    [InlineData(4)] // unseen: the steps were redone between two polls, so only the final reading finds them
    public async Task Steps_the_learner_redid_after_going_back_to_a_checkpoint_replace_their_lines(long redoneUpTo)
    {
        ScriptedRunGrain run = null!;
        run = new ScriptedRunGrain("job-1", totalSteps: 6) { OnStatusPoll = poll => { if (poll == 5) { run.Redo(2, 0.5f, redoneUpTo); } } };
        await StartedRunAsync(run);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir));

        var lines = File.ReadAllLines(Path.Combine(OutDir, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(line => line.GetProperty("step").GetInt64()));
        var expected = FakeSteps.Rising(6).Select(step => step.Step > 2 ? step.MeanReward + 0.5f : step.MeanReward);
        Assert.Equal(expected, lines.Select(line => line.GetProperty("meanReward").GetSingle()));
    }

    [Fact]
    public async Task A_watch_stopped_while_the_cluster_is_unreachable_records_the_state_last_read_never_failed()
    {
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        // From poll 4 on every gateway is gone; the user gives up during the sixth wait.
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            PollFailure = poll => poll >= 4 ? new OrleansException("No gateways available") : null,
            OnStatusPoll = poll => { if (poll >= 4 && ++attempts == 6) { cancel.Cancel(); } },
        });

        var exitCode = await InvokeAsync(cancel.Token, "watch", "job-1", "--cluster", Connection, "--out", OutDir);

        Assert.Equal(ExitCodes.Interrupted, exitCode);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "summary.json")));
        Assert.Equal("Training", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(3, summary.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("error").ValueKind);
        Assert.Equal([1L, 2, 3], StepsIn(Path.Combine(OutDir, "metrics.jsonl")));
        Assert.Equal(6, error.ToString().Split(Environment.NewLine).Count(line => line.Contains("unreachable (No gateways available)", StringComparison.Ordinal)));
        Assert.DoesNotContain("Failed", error.ToString() + output.ToString());
    }

    [Fact]
    public async Task A_watch_that_cannot_connect_at_all_exits_4_at_once_and_writes_no_summary()
    {
        connector.NextConnectFailures.Enqueue(new TimeoutException("no silo answered within 15 s"));

        var exitCode = await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir);

        Assert.Equal(ExitCodes.ClusterUnavailable, exitCode);
        Assert.False(File.Exists(Path.Combine(OutDir, "summary.json")));
        Assert.Single(connector.Connections);
        Assert.Equal("grpo: cannot connect to cluster 'grpo': no silo answered within 15 s" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public async Task A_watch_whose_metrics_file_cannot_be_read_exits_2_naming_file_and_line_and_leaves_it_alone()
    {
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6));
        Directory.CreateDirectory(OutDir);
        var metrics = Path.Combine(OutDir, "metrics.jsonl");
        const string contents = "{\"step\": 1}\n{\"steps\": 2}\n";
        File.WriteAllText(metrics, contents);

        var exitCode = await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", OutDir);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.StartsWith($"grpo: {metrics} line 2: the field \"step\" is missing", error.ToString());
        Assert.Equal(contents, File.ReadAllText(metrics));
        Assert.False(File.Exists(Path.Combine(OutDir, "summary.json")));
    }

    [Fact]
    public async Task Status_reconnects_after_a_lost_gateway_and_prints_the_run_with_its_learner_silo()
    {
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            PollFailure = poll => poll == 1 ? new SiloUnavailableException("The target silo became unavailable") : null,
            LearnerSilo = "10.0.0.5:11111@154519611",
        });

        var exitCode = await InvokeAsync("status", "job-1", "--cluster", Connection);

        Assert.True(exitCode == ExitCodes.Success, error.ToString());
        Assert.Contains("run job-1: Training", output.ToString());
        Assert.Contains("  learner silo       10.0.0.5:11111@154519611", output.ToString());
        Assert.Equal(
            ["grpo: cluster 'grpo' unreachable (The target silo became unavailable); reconnecting in 1 s (attempt 1).", "grpo: reconnected to cluster 'grpo'."],
            error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Status_json_names_the_silo_hosting_the_learner_or_null_when_none_is_active()
    {
        var run = await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6) { LearnerSilo = "10.0.0.5:11111@154519611" });

        Assert.Equal(ExitCodes.Success, await InvokeAsync("status", "job-1", "--json", "--cluster", Connection));
        Assert.Equal("10.0.0.5:11111@154519611", JsonDocument.Parse(output.ToString()).RootElement.GetProperty("learnerSilo").GetString());

        output.GetStringBuilder().Clear();
        run.LearnerSilo = null;
        Assert.Equal(ExitCodes.Success, await InvokeAsync("status", "job-1", "--json", "--cluster", Connection));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(output.ToString()).RootElement.GetProperty("learnerSilo").ValueKind);

        output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await InvokeAsync("status", "job-1", "--cluster", Connection));
        Assert.DoesNotContain("learner silo", output.ToString());
    }

    [Fact]
    public async Task Status_gives_up_after_its_retries_with_exit_4_saying_the_run_is_not_affected()
    {
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            PollFailure = _ => new TimeoutException(ResponseLost),
        });

        var exitCode = await InvokeAsync("status", "job-1", "--cluster", Connection);

        Assert.Equal(ExitCodes.ClusterUnavailable, exitCode);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(
            $"grpo: run job-1: lost the connection to cluster 'grpo' ({ResponseLost}); the run is not affected: try again once the cluster is back.",
            lines[^1]);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task List_reconnects_when_its_gateway_is_lost_and_the_database_is_briefly_unreachable()
    {
        connector = new FakeClusterConnector
        {
            // The second attempt, the first reconnect, finds the database away.
            OnConnect = attempt =>
            {
                if (attempt == 2)
                {
                    connector.NextConnectFailures.Enqueue(new ClusterConfigurationException(ClusterProblem.Unreachable, "PostgreSQL at db:5432 is unreachable (connection refused)."));
                }
            },
        };
        await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6));
        connector.NextListFailures.Enqueue(new TimeoutException(ResponseLost));

        Assert.Equal(ExitCodes.Success, await InvokeAsync("list", "--cluster", Connection));

        Assert.Contains("job-1", output.ToString());
        Assert.Equal(
            [
                $"grpo: cluster 'grpo' unreachable ({ResponseLost}); reconnecting in 1 s (attempt 1).",
                "grpo: cluster 'grpo' unreachable (PostgreSQL at db:5432 is unreachable (connection refused).); reconnecting in 1 s (attempt 2).",
                "grpo: reconnected to cluster 'grpo'.",
            ],
            error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("resume")]
    public async Task Commands_that_change_a_run_try_once_and_report_a_lost_connection_with_exit_4(string command)
    {
        var run = await StartedRunAsync(new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            PollFailure = _ => new TimeoutException(ResponseLost),
            ResumeFailure = new TimeoutException(ResponseLost),
        });

        Assert.Equal(ExitCodes.ClusterUnavailable, await InvokeAsync(command, "job-1", "--cluster", Connection));

        Assert.Single(connector.Connections);
        Assert.Equal(0, run.StopCalls);
        Assert.DoesNotContain("reconnecting", error.ToString());
        Assert.Contains("lost the connection to cluster 'grpo'", error.ToString());
    }

    [Theory]
    [InlineData(true, "Response did not arrive on time")]
    [InlineData(true, "No gateways available")]
    [InlineData(true, "The target silo became unavailable")]
    [InlineData(true, "PostgreSQL unreachable")]
    [InlineData(false, "wrong password")]
    [InlineData(false, "grain threw")]
    public void Only_failures_that_pass_when_the_cluster_returns_count_as_unreachable(bool unreachable, string failure)
    {
        Exception exception = failure switch
        {
            "Response did not arrive on time" => new TimeoutException(failure),
            "No gateways available" => new OrleansException(failure),
            "The target silo became unavailable" => new SiloUnavailableException(failure),
            "PostgreSQL unreachable" => new ClusterConfigurationException(ClusterProblem.Unreachable, failure),
            "wrong password" => new ClusterConfigurationException(ClusterProblem.AuthenticationFailed, failure),
            _ => new InvalidOperationException(failure),
        };

        Assert.Equal(unreachable, ClusterFailures.IsUnreachable(exception));
    }

    private async Task<ScriptedRunGrain> StartedRunAsync(ScriptedRunGrain run)
    {
        await run.StartAsync(new() { Seed = 7 });
        connector.Runs[run.Current.RunId] = run;
        return run;
    }

    private string SummaryState()
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "summary.json")));
        return summary.RootElement.GetProperty("state").GetString()!;
    }

    private static long[] StepsIn(string path) =>
        [.. File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64())];

    private Task<int> InvokeAsync(params string[] args) => InvokeAsync(CancellationToken.None, args);

    private Task<int> InvokeAsync(CancellationToken cancellationToken, params string[] args)
    {
        var watcher = new RunWatcher(new PlainProgressView(new StringWriter()), output, error, new TrainSettings { PollInterval = TimeSpan.FromMilliseconds(1) });
        var commands = new ClusterCommands(connector, watcher, output, error, new ReconnectPolicy(TimeSpan.Zero, TimeSpan.Zero, Retries: 2));
        var root = GrpoCommandLine.Create(new UnusedTrainRunner(), commands, environment: _ => null);
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private sealed class UnusedTrainRunner : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the cluster commands must not train in-process");
    }
}
