using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Eval;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Cluster.Tests.Client;

namespace Grpo.Cluster.Tests.Eval;

/// <summary>grpo eval, train --samples and watch --samples as the command line parses them; nothing is evaluated or started.</summary>
public sealed class EvalCommandLineTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly List<EvalArguments> evaluations = [];
    private readonly List<TrainArguments> trainings = [];

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Eval_options_reach_the_runner_resolved()
    {
        var dataset = folder.File("d.jsonl", "{\"question\": \"1+1=\", \"answer\": \"2\"}\n");

        var code = await InvokeAsync("eval", "--checkpoint", folder.Path, "--k", "1", "--k", "4", "--samples", "10", "--dataset", dataset,
            "--limit", "3", "--set", "top_k=1", "--output", "r.json");

        Assert.Equal(0, code);
        var arguments = Assert.Single(evaluations);
        Assert.Equal(Path.GetFullPath(folder.Path), arguments.Source);
        Assert.Equal([1, 4], arguments.K);
        Assert.Equal(10, arguments.Samples);
        Assert.Equal(3, arguments.Limit);
        Assert.Equal(dataset, arguments.DatasetPath);
        Assert.Equal(1, arguments.Config.TopK);
        Assert.Equal(Path.GetFullPath("r.json"), arguments.OutputPath);
    }

    [Theory]
    [InlineData(new[] { "eval" }, "grpo eval: give exactly one of --checkpoint DIR")]
    [InlineData(new[] { "eval", "--checkpoint", "/no/such/folder" }, "grpo eval: --checkpoint '/no/such/folder' is not a directory.")]
    [InlineData(new[] { "eval", "--checkpoint", ".", "--set", "temperature=0" }, "grpo eval: Invalid run configuration in --set")]
    public async Task Bad_eval_arguments_exit_2_before_anything_is_loaded(string[] args, string message)
    {
        var code = await InvokeAsync(args);

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith(message, error.ToString());
        Assert.Empty(evaluations);
    }

    [Fact]
    public async Task A_k_that_is_not_a_number_is_a_parse_error()
    {
        var code = await InvokeAsync("eval", "--checkpoint", folder.Path, "--k", "all");

        Assert.NotEqual(0, code);
        Assert.Contains("all", error.ToString());
        Assert.Empty(evaluations);
    }

    [Fact]
    public async Task Train_takes_samples()
    {
        Assert.Equal(0, await InvokeAsync("train", "--run-id", "r", "--samples"));
        Assert.True(Assert.Single(trainings).ShowSamples);
        Assert.Equal(0, await InvokeAsync("train", "--run-id", "r"));
        Assert.False(trainings[1].ShowSamples);
    }

    private Task<int> InvokeAsync(params string[] args) =>
        GrpoCommandLine.Create(new Runner(trainings), Cluster(), evalRunner: (arguments, _) =>
        {
            evaluations.Add(arguments);
            return Task.FromResult(0);
        }).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

    private ClusterCommands Cluster() =>
        new(new FakeClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error);

    private sealed class Runner(List<TrainArguments> calls) : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken)
        {
            calls.Add(arguments);
            return Task.FromResult(0);
        }
    }
}
