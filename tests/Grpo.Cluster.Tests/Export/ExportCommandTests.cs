using System.CommandLine;
using Grpo.Abstractions.Configuration;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Export;
using Grpo.Client.Progress;
using Grpo.Client.Watch;
using Grpo.Cluster.Tests.Client;
using Grpo.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Grains.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Cluster.Tests.Export;

/// <summary>
/// grpo export end to end: a tiny policy saved as a learner checkpoint comes back from the exported Hugging Face
/// directory with the same weights, its model's tokenizer files beside them; unusable input exits 2 naming the path.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private static readonly ModelConfig TinyModel = new()
    {
        Family = new Qwen3Family(),
        VocabSize = 48,
        HiddenSize = 16,
        IntermediateSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        NumKeyValueHeads = 1,
        HeadDim = 8,
        RmsNormEps = 1e-6,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 64,
        TieWordEmbeddings = true,
        EosTokenIds = [1],
    };

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_checkpoint_exported_with_its_model_reloads_with_the_same_weights_and_tokenizer_files()
    {
        var modelDirectory = Path.Combine(folder.Path, "base-model");
        using (var baseModel = new CausalLM(TinyModel)) HfModelDirectory.Save(modelDirectory, baseModel);
        File.WriteAllText(Path.Combine(modelDirectory, "tokenizer.json"), "{\"model\": {}}");
        var (checkpointsRoot, trained) = WriteCheckpoint(Path.Combine(folder.Path, "run", "checkpoints"), TinyModel);
        var outDirectory = Path.Combine(folder.Path, "exported");

        var code = await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", outDirectory, "--model", modelDirectory, "--dtype", "float32");

        Assert.Equal(0, code);
        Assert.Equal("", error.ToString());
        Assert.Contains(outDirectory, output.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(modelDirectory, "tokenizer.json")), File.ReadAllText(Path.Combine(outDirectory, "tokenizer.json")));
        using var reloaded = HfModelDirectory.Load(outDirectory);
        foreach (var (name, tensor) in reloaded.state_dict())
            Assert.True(tensor.equal(trained[name]).all().item<bool>(), name);
    }

    [Fact]
    public async Task Without_model_the_run_folders_configuration_gives_the_shape()
    {
        var config = new RunConfig { Seed = 3 };
        var runFolder = Path.Combine(folder.Path, "run");
        Directory.CreateDirectory(runFolder);
        File.WriteAllText(Path.Combine(runFolder, "config.json"), RunConfigLoader.ToJson(config));
        var (checkpointsRoot, trained) = WriteCheckpoint(Path.Combine(runFolder, "checkpoints"), RunAssets.Create(config).Model);
        var outDirectory = Path.Combine(folder.Path, "exported");

        Assert.Equal(0, await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", outDirectory));

        Assert.Equal("bfloat16", ModelConfig.Load(Path.Combine(outDirectory, "config.json")).TorchDtype);
        using var reloaded = HfModelDirectory.Load(outDirectory);
        foreach (var (name, tensor) in reloaded.state_dict())
            Assert.True(tensor.equal(trained[name].to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).all().item<bool>(), name);
    }

    [Fact]
    public async Task A_truncated_newest_checkpoint_is_passed_over_with_a_warning_and_the_one_before_is_exported()
    {
        var modelDirectory = Path.Combine(folder.Path, "base-model");
        using (var baseModel = new CausalLM(TinyModel)) HfModelDirectory.Save(modelDirectory, baseModel);
        var (checkpointsRoot, trained) = WriteCheckpoint(Path.Combine(folder.Path, "checkpoints"), TinyModel);
        string newest;
        using (var later = new CausalLM(TinyModel))
            newest = TrainingCheckpoint.Save(checkpointsRoot, later, new Dictionary<string, Tensor>(), new TrainingState(8, 8, 8, [], new Dictionary<string, string>()), keepLast: 2);
        var optimizer = Path.Combine(newest, TrainingCheckpoint.OptimizerFileName);
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..^1]);
        var outDirectory = Path.Combine(folder.Path, "exported");

        var code = await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", outDirectory, "--model", modelDirectory, "--dtype", "float32");

        Assert.Equal(0, code);
        Assert.StartsWith($"grpo export: warning: checkpoint '{newest}' failed verification: file '{optimizer}' is corrupt: ", error.ToString());
        Assert.EndsWith($"; using checkpoint '{Path.Combine(checkpointsRoot, "step-00000005")}' (step 5) instead", error.ToString().TrimEnd());
        using var reloaded = HfModelDirectory.Load(outDirectory);
        foreach (var (name, tensor) in reloaded.state_dict())
            Assert.True(tensor.equal(trained[name]).all().item<bool>(), name);
    }

    [Fact]
    public async Task A_non_empty_output_is_refused_unless_forced()
    {
        var modelDirectory = Path.Combine(folder.Path, "base-model");
        using (var baseModel = new CausalLM(TinyModel)) HfModelDirectory.Save(modelDirectory, baseModel);
        var (checkpointsRoot, _) = WriteCheckpoint(Path.Combine(folder.Path, "checkpoints"), TinyModel);
        var outDirectory = Path.Combine(folder.Path, "exported");
        Directory.CreateDirectory(outDirectory);
        File.WriteAllText(Path.Combine(outDirectory, "keep.txt"), "mine");

        var refused = await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", outDirectory, "--model", modelDirectory);

        Assert.Equal(ExitCodes.InvalidArguments, refused);
        Assert.Contains($"'{outDirectory}' exists and is not empty", error.ToString());
        Assert.True(File.Exists(Path.Combine(outDirectory, "keep.txt")));
        Assert.Equal(0, await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", outDirectory, "--model", modelDirectory, "--force"));
        Assert.False(File.Exists(Path.Combine(outDirectory, "keep.txt")));
    }

    [Fact]
    public async Task A_checkpoint_without_a_run_configuration_or_model_is_refused_naming_it()
    {
        var (checkpointsRoot, _) = WriteCheckpoint(Path.Combine(folder.Path, "loose"), TinyModel);

        var code = await RunAsync("export", "--checkpoint", checkpointsRoot, "--out", Path.Combine(folder.Path, "exported"));

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith("grpo export: cannot export", error.ToString());
        Assert.Contains("pass --config FILE", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "exported")));
    }

    [Theory]
    [InlineData(new[] { "export", "--out", "x" }, "grpo export: --checkpoint DIR is required")]
    [InlineData(new[] { "export", "--checkpoint", "/no/such/folder", "--out", "x" }, "grpo export: --checkpoint '/no/such/folder' is not a directory.")]
    [InlineData(new[] { "export", "--checkpoint", ".", "--out", "x", "--dtype", "int8" }, "grpo export: --dtype 'int8': expected bfloat16 or float32.")]
    [InlineData(new[] { "export", "--checkpoint", ".", "--out", "x", "--model", "/no/such/model" }, "grpo export: --model '/no/such/model' is not a directory.")]
    [InlineData(new[] { "export", "--checkpoint", ".", "--out", "x", "--adapter-only", "--dtype", "float32" }, "grpo export: --dtype applies to the merged model")]
    public async Task Bad_arguments_exit_2_before_anything_is_loaded(string[] args, string message)
    {
        var exported = new List<ExportArguments>();
        var command = GrpoCommandLine.Create(new NoTraining(), Cluster(), exportRunner: (arguments, _) =>
        {
            exported.Add(arguments);
            return Task.FromResult(0);
        });

        var code = await command.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.StartsWith(message, error.ToString());
        Assert.Empty(exported);
    }

    private Task<int> RunAsync(params string[] args)
    {
        var export = new ExportCommand(output, error, ensureTorchAvailable: () => { });
        return GrpoCommandLine.Create(new NoTraining(), Cluster(), exportRunner: export.RunAsync).Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>A seeded policy of <paramref name="model"/> saved as a checkpoint under <paramref name="root"/>, and its weights.</summary>
    private static (string Root, Dictionary<string, Tensor> Weights) WriteCheckpoint(string root, ModelConfig model)
    {
        torch.manual_seed(77);
        using var policy = new CausalLM(model);
        var weights = policy.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var state = new TrainingState(5, 5, 5, [], new Dictionary<string, string>());
        TrainingCheckpoint.Save(root, policy, new Dictionary<string, Tensor>(), state, keepLast: 1);
        return (root, weights);
    }

    private ClusterCommands Cluster() =>
        new(new FakeClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error);

    private sealed class NoTraining : Grpo.Client.Train.ITrainRunner
    {
        public Task<int> RunAsync(Grpo.Client.Train.TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("export tests start no training");
    }
}
