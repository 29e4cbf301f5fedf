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

public sealed class ClusterCommandLineTests : IDisposable
{
    private const string Connection = "Host=db;Database=grpo;Username=grpo;Password=secret";

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly Dictionary<string, string?> environment = [];
    private FakeClusterConnector connector = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("submit", "--run-id", "r")]
    [InlineData("watch", "r")]
    [InlineData("status", "r")]
    [InlineData("stop", "r")]
    public async Task Without_cluster_or_GRPO_CLUSTER_every_command_exits_with_2_and_connects_nowhere(params string[] args)
    {
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync(args));
        Assert.Contains("--cluster", error.ToString());
        Assert.Contains("GRPO_CLUSTER", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("status")]
    [InlineData("stop")]
    [InlineData("status", "a", "b")]
    [InlineData("status", "a", "--bogus")]
    [InlineData("submit", "--seed", "many")]
    [InlineData("submit", "extra")]
    [InlineData("watch", "a", "--cluster")]
    public async Task Missing_ids_unknown_options_and_bad_values_are_parse_errors(params string[] args)
    {
        Assert.NotEqual(0, await InvokeAsync([.. args, "--cluster-id", "grpo"]));
        Assert.NotEqual("", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task The_cluster_comes_from_GRPO_CLUSTER_when_no_option_is_given_and_the_option_wins_over_it()
    {
        environment[ClusterCommandLine.ClusterVariable] = "Host=from-env";
        await InvokeAsync("status", "r");
        await InvokeAsync("status", "r", "--cluster", Connection, "--cluster-id", "blue");

        Assert.Equal([new ClusterTarget("Host=from-env", "grpo"), new ClusterTarget(Connection, "blue")], connector.Connections);
    }

    [Fact]
    public async Task Submit_with_a_bad_config_file_exits_with_2_names_file_line_and_key_and_connects_nowhere()
    {
        var file = folder.File("bad.json", "{\n  \"steps\": 0\n}");

        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("submit", "--cluster", Connection, "--config", file));

        Assert.Contains(file, error.ToString());
        Assert.Contains("line 2", error.ToString());
        Assert.Contains("steps", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task Submit_with_an_unknown_set_key_or_a_bad_run_id_exits_with_2()
    {
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("submit", "--cluster", Connection, "--set", "no_such_key=1"));
        Assert.Contains("no_such_key", error.ToString());
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("submit", "--cluster", Connection, "--run-id", "a/b"));
        Assert.Contains("--run-id 'a/b'", error.ToString());
        Assert.Empty(connector.Connections);
    }

    [Fact]
    public async Task Submit_starts_the_run_with_the_resolved_config_prints_only_its_id_and_disconnects()
    {
        var file = folder.File("run.json", """{ "seed": 1, "steps": 10 }""");

        var exitCode = await InvokeAsync("submit", "--cluster", Connection, "--config", file, "--seed", "3", "--set", "steps=5", "--run-id", "job-1");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("job-1" + Environment.NewLine, output.ToString());
        Assert.Equal("", error.ToString());
        var run = connector.Runs["job-1"];
        Assert.Equal(3, run.StartedWith!.Seed);
        Assert.Equal(5, run.StartedWith.Steps);
        Assert.Equal(0, run.StopCalls);
        Assert.Equal(1, connector.Disconnects);
        Assert.False(Directory.Exists(Path.Combine("runs", "job-1")));
    }

    [Fact]
    public async Task Submit_refuses_a_run_id_that_is_already_taken_and_leaves_that_run_alone()
    {
        var existing = await StartedRunAsync("job-1");

        Assert.Equal(ExitCodes.RunFailed, await InvokeAsync("submit", "--cluster", Connection, "--run-id", "job-1", "--seed", "9"));

        Assert.Contains("run job-1 already exists (Training)", error.ToString());
        Assert.Equal(7, existing.StartedWith!.Seed);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task A_cluster_configuration_problem_exits_with_4_and_prints_its_one_line_message()
    {
        const string message = "Database 'grpo' at db:5432 has no Orleans schema (no OrleansQuery table): run deploy/postgres/create-schema.sh.";
        connector = new FakeClusterConnector { ConnectFailure = new ClusterConfigurationException(ClusterProblem.SchemaMissing, message) };

        foreach (var args in new[] { ["submit", "--run-id", "r"], ["watch", "r"], ["status", "r"], new[] { "stop", "r" } })
        {
            error.GetStringBuilder().Clear();
            Assert.Equal(ExitCodes.ClusterUnavailable, await InvokeAsync([.. args, "--cluster", Connection]));
            Assert.Equal("grpo: " + message + Environment.NewLine, error.ToString());
        }
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_exits_with_4_and_names_the_cluster_id()
    {
        connector = new FakeClusterConnector { ConnectFailure = new TimeoutException("no gateway answered") };

        Assert.Equal(ExitCodes.ClusterUnavailable, await InvokeAsync("status", "r", "--cluster", Connection, "--cluster-id", "blue"));
        Assert.Contains("cannot connect to cluster 'blue': no gateway answered", error.ToString());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("stop")]
    [InlineData("watch")]
    public async Task An_unknown_run_exits_with_1_and_says_there_is_no_such_run(string command)
    {
        var outDir = Path.Combine(folder.Path, "out");

        string[] args = command == "watch" ? [command, "ghost", "--cluster", Connection, "--out", outDir] : [command, "ghost", "--cluster", Connection];

        var exitCode = await InvokeAsync(args);

        Assert.Equal(ExitCodes.RunFailed, exitCode);
        Assert.Equal("grpo: no run named ghost" + Environment.NewLine, error.ToString());
        Assert.Equal(0, connector.Runs["ghost"].StopCalls);
        Assert.Null(connector.Runs["ghost"].StartedWith);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task Status_prints_state_steps_policy_version_accuracies_and_error()
    {
        var run = await StartedRunAsync("job-1", failAtStep: 2);
        await run.GetStatusAsync();
        await run.GetStatusAsync();

        Assert.Equal(ExitCodes.Success, await InvokeAsync("status", "job-1", "--cluster", Connection));

        Assert.Equal(
            [
                "run job-1: Failed",
                "  steps              2/6",
                "  policy version     2",
                "  baseline accuracy  0.100",
                "  final accuracy     -",
                "  last checkpoint    none",
                "  error              learner diverged",
            ],
            output.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task Stop_asks_a_live_run_to_stop_once_and_prints_its_state()
    {
        var run = await StartedRunAsync("job-1");

        Assert.Equal(ExitCodes.Success, await InvokeAsync("stop", "job-1", "--cluster", Connection));

        Assert.Equal(1, run.StopCalls);
        Assert.Equal("run job-1: Stopped" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Stop_of_a_run_that_has_not_stopped_yet_says_the_stop_was_requested()
    {
        var run = await StartedRunAsync("job-1", ignoreStop: true);

        Assert.Equal(ExitCodes.Success, await InvokeAsync("stop", "job-1", "--cluster", Connection));

        Assert.Equal(1, run.StopCalls);
        Assert.Equal("run job-1: Training, stop requested" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Stop_of_a_finished_run_does_not_call_stop()
    {
        var run = await StartedRunAsync("job-1");
        await run.StopAsync();

        Assert.Equal(ExitCodes.Success, await InvokeAsync("stop", "job-1", "--cluster", Connection));

        Assert.Equal(1, run.StopCalls);
        Assert.Contains("run job-1: Stopped (already ended)", output.ToString());
    }

    [Fact]
    public async Task Watch_follows_a_submitted_run_to_its_end_and_writes_metrics_summary_and_chart_but_no_config()
    {
        var run = await StartedRunAsync("job-1");
        var outDir = Path.Combine(folder.Path, "out");

        var exitCode = await InvokeAsync("watch", "job-1", "--cluster", Connection, "--out", outDir);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(1, run.StartCalls);
        var lines = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl"));
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64()));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("Completed", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(0.8, summary.RootElement.GetProperty("finalAccuracy").GetDouble());
        Assert.True(File.Exists(Path.Combine(outDir, "chart.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "config.json")));
        Assert.Contains("run job-1: Completed", output.ToString());
        Assert.DoesNotContain("config.json", output.ToString());
    }

    [Fact]
    public async Task Cancelling_watch_stops_watching_but_never_stops_the_run()
    {
        using var cancel = new CancellationTokenSource();
        var run = new ScriptedRunGrain("job-1", totalSteps: 6)
        {
            StallAfterStep = 2,
            OnStatusPoll = polls => { if (polls == 3) { cancel.Cancel(); } },
        };
        await run.StartAsync(new());
        connector.Runs["job-1"] = run;
        var outDir = Path.Combine(folder.Path, "out");

        var exitCode = await InvokeAsync(cancel.Token, "watch", "job-1", "--cluster", Connection, "--out", outDir);

        Assert.Equal(ExitCodes.Interrupted, exitCode);
        Assert.Equal(0, run.StopCalls);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("Training", summary.RootElement.GetProperty("state").GetString());
        Assert.DoesNotContain("stopping run", error.ToString());
    }

    private async Task<ScriptedRunGrain> StartedRunAsync(string runId, int failAtStep = int.MaxValue, bool ignoreStop = false)
    {
        var run = new ScriptedRunGrain(runId, totalSteps: 6) { FailAtStep = failAtStep, IgnoreStop = ignoreStop };
        await run.StartAsync(new() { Seed = 7 });
        connector.Runs[runId] = run;
        return run;
    }

    private Task<int> InvokeAsync(params string[] args) => InvokeAsync(CancellationToken.None, args);

    private Task<int> InvokeAsync(CancellationToken cancellationToken, params string[] args)
    {
        var watcher = new RunWatcher(
            new PlainProgressView(output), output, error, new TrainSettings { PollInterval = TimeSpan.FromMilliseconds(5) });
        var cluster = new ClusterCommands(connector, watcher, output, error, FastReconnect);
        var root = GrpoCommandLine.Create(new UnusedTrainRunner(), cluster, environment: name => environment.GetValueOrDefault(name));
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>No waiting between attempts, and two retries before a command gives up.</summary>
    internal static ReconnectPolicy FastReconnect { get; } = new(TimeSpan.Zero, TimeSpan.Zero, Retries: 2);

    private sealed class UnusedTrainRunner : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the cluster commands must not train in-process");
    }
}
