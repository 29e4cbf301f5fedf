using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Core.Runtime;

namespace Grpo.Cluster.Tests.Client;

public sealed class GrpoCommandLineTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly RecordingRunner runner = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task An_unknown_set_key_exits_with_2_names_the_key_and_starts_nothing()
    {
        var exitCode = await InvokeAsync("train", "--set", "no_such_key=1", "--run-id", "r");

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.Contains("no_such_key", error.ToString());
        Assert.Contains("--set", error.ToString());
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task A_bad_config_file_exits_with_2_and_names_file_line_and_key()
    {
        var file = folder.File("bad.json", "{\n  \"steps\": 0\n}");

        var exitCode = await InvokeAsync("train", "--config", file);

        Assert.Equal(ExitCodes.InvalidArguments, exitCode);
        Assert.Contains(file, error.ToString());
        Assert.Contains("line 2", error.ToString());
        Assert.Contains("steps", error.ToString());
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task A_missing_config_file_exits_with_2()
    {
        var missing = Path.Combine(folder.Path, "missing.json");
        Assert.Equal(ExitCodes.InvalidArguments, await InvokeAsync("train", "--config", missing));
        Assert.Contains(missing, error.ToString());
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task The_runner_receives_the_resolved_arguments_with_file_seed_and_set_precedence()
    {
        var file = folder.File("run.json", """{ "seed": 1, "steps": 10, "group_size": 4 }""");
        var outDir = Path.Combine(folder.Path, "out");

        var exitCode = await InvokeAsync(
            "train", "--config", file, "--seed", "3", "--set", "steps=5", "--set", "temperature=0.5", "--out", outDir, "--run-id", "demo-x");

        Assert.Equal(0, exitCode);
        var arguments = Assert.Single(runner.Calls);
        Assert.Equal("demo-x", arguments.RunId);
        Assert.Equal(outDir, arguments.OutputDirectory);
        Assert.Equal(3, arguments.Config.Seed);
        Assert.Equal(5, arguments.Config.Steps);
        Assert.Equal(0.5f, arguments.Config.Temperature);
        Assert.Equal(4, arguments.Config.GroupSize);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Train_without_arguments_runs_the_default_demo()
    {
        Assert.Equal(0, await InvokeAsync("train"));
        var arguments = Assert.Single(runner.Calls);
        Assert.StartsWith("demo-", arguments.RunId);
        Assert.Equal(new Grpo.Abstractions.Configuration.RunConfig(), arguments.Config);
    }

    [Theory]
    [InlineData("train", "--bogus")]
    [InlineData("trian")]
    [InlineData("train", "--seed", "many")]
    [InlineData("train", "--set", "steps=1", "extra")]
    public async Task Unknown_commands_options_and_values_are_parse_errors(params string[] args)
    {
        var exitCode = await InvokeAsync(args);

        Assert.NotEqual(0, exitCode);
        Assert.NotEqual("", error.ToString());
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task Without_libtorch_the_embedded_runner_prints_the_reason_and_exits_with_3()
    {
        var command = new TrainCommand(new PlainProgressView(output), output, error);
        var embedded = new EmbeddedTrainRunner(command, error,
            () => throw new TorchUnavailableException("libtorch could not be loaded (test).", new DllNotFoundException("torch")));
        var root = GrpoCommandLine.Create(embedded, Cluster());

        var exitCode = await root.Parse(["train", "--run-id", "r", "--out", Path.Combine(folder.Path, "out")])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.TorchUnavailable, exitCode);
        Assert.Contains("libtorch could not be loaded (test).", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "out")));
    }

    private Task<int> InvokeAsync(params string[] args) =>
        GrpoCommandLine.Create(runner, Cluster()).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

    private ClusterCommands Cluster() =>
        new(new FakeClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error);

    private sealed class RecordingRunner : ITrainRunner
    {
        public List<TrainArguments> Calls { get; } = [];

        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken)
        {
            Calls.Add(arguments);
            return Task.FromResult(0);
        }
    }
}
