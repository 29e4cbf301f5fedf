using System.CommandLine;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Eval;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;
using Grpo.Cluster.Tests.Client;
using Grpo.Core.Runtime;

namespace Grpo.Cluster.Tests.Eval;

/// <summary>grpo eval --device: parsed with the other arguments, and a device this build cannot use refused before any model loads.</summary>
public sealed class EvalDeviceTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_device_defaults_to_the_cpu()
    {
        Assert.Equal(ComputeDevice.Cpu, EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path }).Device);
    }

    [Fact]
    public async Task The_device_option_reaches_the_runner_parsed()
    {
        var evaluations = new List<EvalArguments>();

        var code = await GrpoCommandLine.Create(new NoTraining(), Cluster(), evalRunner: (arguments, _) =>
        {
            evaluations.Add(arguments);
            return Task.FromResult(0);
        }).Parse(["eval", "--checkpoint", folder.Path, "--device", "cuda:1"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.True(code == 0, error.ToString());
        Assert.Equal(ComputeDevice.Parse("cuda:1"), Assert.Single(evaluations).Device);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("CUDA")]
    public void An_unknown_device_is_refused_naming_the_option(string device)
    {
        var exception = Assert.Throws<ArgumentException>(() => EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path, Device = device }));
        Assert.Equal($"--device '{device}': expected cpu, cuda or cuda:N.", exception.Message);
    }

    [Fact]
    public async Task A_gpu_on_this_cpu_build_exits_3_before_loading_anything()
    {
        // The folder holds no checkpoint: reaching the loader would fail with exit code 2 instead.
        var arguments = EvalArguments.Resolve(new EvalOptions { CheckpointPath = folder.Path, Device = "cuda:0" });
        var progress = new StringWriter();

        var code = await new EvalCommand(new PlainActionProgressView(progress), output, error).RunAsync(arguments, CancellationToken.None);

        Assert.Equal(ExitCodes.TorchUnavailable, code);
        Assert.Equal("grpo eval: device 'cuda:0' was requested but this build has no CUDA libtorch (build with -p:GrpoDevice=cuda).", error.ToString().TrimEnd());
        Assert.Equal("", progress.ToString());
    }

    private ClusterCommands Cluster() =>
        new(new FakeClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error);

    private sealed class NoTraining : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("eval must not start training");
    }
}
