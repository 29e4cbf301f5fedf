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
/// grpo export of LoRA checkpoints: the merged model computes the adapter model's logits, over the run's seeded base or
/// a --model directory's weights; --adapter-only writes a PEFT folder that loads back; full checkpoints and configurations
/// without LoRA are refused naming the checkpoint.
/// </summary>
public sealed class LoraExportTests : IDisposable
{
    private static readonly RunConfig LoraConfig = new() { Seed = 5, LoraRank = 2, LoraAlpha = 4 };
    private static readonly long[] InputTokens = [3, 7, 1, 12, 5, 9, 2, 4];

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_float32_export_of_a_lora_checkpoint_gives_the_adapter_models_logits()
    {
        var (checkpoint, adapterLogits, baseLogits) = WriteRunWithLoraCheckpoint();
        var outDirectory = Path.Combine(folder.Path, "merged");

        var code = await RunAsync("export", "--checkpoint", Path.Combine(folder.Path, "run", "checkpoints"), "--out", outDirectory, "--dtype", "float32");

        Assert.True(code == 0, error.ToString());
        Assert.Contains($"exported step 9 of {checkpoint}", output.ToString());
        Assert.Contains("LoRA adapters merged into the tiny preset initialised from seed 5", output.ToString());
        Assert.DoesNotContain(SafeTensors.Load(Path.Combine(outDirectory, TrainingCheckpoint.ModelFileName)).Keys, CausalLM.IsAdapterKey);
        using var reloaded = HfModelDirectory.Load(outDirectory);
        Assert.Null(reloaded.Lora);
        using var logits = Logits(reloaded);
        AssertClose(adapterLogits, logits, relative: 1e-5);
        // The adapters move the logits far more than the tolerance, so an export of the base alone would fail above.
        Assert.True(MaxRelativeDifference(adapterLogits, baseLogits) > 1e-2);
    }

    [Fact]
    public void ExportFinalModel_writes_bfloat16_merged_weights_within_bfloat16_rounding_of_the_adapter_model()
    {
        var (checkpoint, adapterLogits, baseLogits) = WriteRunWithLoraCheckpoint();
        var outDirectory = Path.Combine(folder.Path, "final");

        var result = FinalModelExport.ExportFinalModel(RunAssets.Create(LoraConfig), checkpoint, outDirectory, HfExportDType.BFloat16);

        Assert.Equal(9, result.Step);
        Assert.True(result.MergedAdapters);
        Assert.Equal("bfloat16", result.Written.TorchDtype);
        Assert.Equal(ScalarType.BFloat16, SafeTensors.Load(Path.Combine(outDirectory, TrainingCheckpoint.ModelFileName)).Values.First().dtype);
        using var reloaded = HfModelDirectory.Load(outDirectory);
        using var logits = Logits(reloaded);
        // bfloat16 keeps 8 significant bits (relative step 2^-8); the adapters' effect is several times larger.
        var bf16Error = MaxRelativeDifference(adapterLogits, logits);
        Assert.True(bf16Error < 2e-2, $"bfloat16 export differs by {bf16Error} relative");
        Assert.True(MaxRelativeDifference(adapterLogits, baseLogits) > 3 * bf16Error);
    }

    [Fact]
    public async Task With_model_the_adapters_merge_into_that_directorys_weights()
    {
        var modelDirectory = Path.Combine(folder.Path, "base-model");
        var shape = RunAssets.Create(LoraConfig).Model;
        torch.manual_seed(21);
        using (var pretrained = new CausalLM(shape)) HfModelDirectory.Save(modelDirectory, pretrained);
        using var policy = HfModelDirectory.Load(modelDirectory);
        policy.ApplyLora(RunBaseModel.Lora(LoraConfig)!);
        PerturbAdapters(policy);
        using var adapterLogits = Logits(policy);
        var checkpoint = SaveCheckpoint(Path.Combine(folder.Path, "loose"), policy);
        var outDirectory = Path.Combine(folder.Path, "merged");

        var code = await RunAsync("export", "--checkpoint", checkpoint, "--out", outDirectory, "--model", modelDirectory, "--dtype", "fp32");

        Assert.True(code == 0, error.ToString());
        Assert.Contains($"LoRA adapters merged into the weights of {modelDirectory}", output.ToString());
        using var reloaded = HfModelDirectory.Load(outDirectory);
        using var logits = Logits(reloaded);
        AssertClose(adapterLogits, logits, relative: 1e-5);
    }

    [Fact]
    public async Task Adapter_only_writes_a_peft_folder_that_loads_back_into_the_adapter_model()
    {
        var (checkpoint, _, _) = WriteRunWithLoraCheckpoint();
        var outDirectory = Path.Combine(folder.Path, "adapter");

        var code = await RunAsync("export", "--checkpoint", checkpoint, "--out", outDirectory, "--adapter-only");

        Assert.True(code == 0, error.ToString());
        Assert.Equal([PeftAdapterConfig.FileName, PeftAdapterFiles.WeightsFileName], Directory.GetFiles(outDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var stored = SafeTensors.Load(Path.Combine(outDirectory, PeftAdapterFiles.WeightsFileName));
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", stored.Keys);
        Assert.All(stored.Keys, key => Assert.Matches(@"^base_model\.model\.model\.layers\.\d+\..+\.lora_[AB]\.weight$", key));
        foreach (var tensor in stored.Values) tensor.Dispose();

        var assets = RunAssets.Create(LoraConfig);
        using var trained = RunBaseModel.Create(assets);
        TrainingCheckpoint.Load(checkpoint, trained);
        using var reloaded = RunBaseModel.Create(assets);
        var config = PeftAdapterFiles.LoadInto(outDirectory, reloaded);
        Assert.Equal(LoraConfig.LoraRank, config.Options.Rank);
        var expected = trained.AdapterStateDict();
        foreach (var (name, value) in reloaded.AdapterStateDict())
            Assert.True(value.equal(expected[name]).all().item<bool>(), name);
    }

    [Fact]
    public async Task Adapter_only_refuses_a_full_checkpoint()
    {
        var runFolder = WriteRunFolder(LoraConfig with { LoraRank = 0 });
        using (var full = new CausalLM(RunAssets.Create(LoraConfig).Model)) SaveCheckpoint(Path.Combine(runFolder, "checkpoints"), full);
        var outDirectory = Path.Combine(folder.Path, "adapter");

        var code = await RunAsync("export", "--checkpoint", Path.Combine(runFolder, "checkpoints"), "--out", outDirectory, "--adapter-only");

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Contains("--adapter-only: checkpoint '", error.ToString());
        Assert.Contains("holds full weights (model.safetensors), not LoRA adapters", error.ToString());
        Assert.False(Directory.Exists(outDirectory));
    }

    [Fact]
    public async Task A_lora_checkpoint_under_a_configuration_without_lora_is_refused_naming_it()
    {
        var (checkpoint, _, _) = WriteRunWithLoraCheckpoint();
        var otherConfig = folder.File("full.json", RunConfigLoader.ToJson(LoraConfig with { LoraRank = 0 }));
        var outDirectory = Path.Combine(folder.Path, "merged");

        var code = await RunAsync("export", "--checkpoint", checkpoint, "--out", outDirectory, "--config", otherConfig);

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Contains($"checkpoint '{checkpoint}' holds LoRA adapters (adapter_config.json), but the run configuration has lora_rank 0", error.ToString());
        Assert.False(Directory.Exists(outDirectory));
    }

    /// <summary>
    /// A run folder with the LoRA configuration and one checkpoint of its seeded base with perturbed adapters; the
    /// adapter model's logits and the base's (adapters off) on <see cref="InputTokens"/>.
    /// </summary>
    private (string Checkpoint, Tensor AdapterLogits, Tensor BaseLogits) WriteRunWithLoraCheckpoint()
    {
        var runFolder = WriteRunFolder(LoraConfig);
        using var policy = RunBaseModel.Create(RunAssets.Create(LoraConfig));
        PerturbAdapters(policy);
        var adapterLogits = Logits(policy);
        Tensor baseLogits;
        using (policy.AdaptersDisabled()) baseLogits = Logits(policy);
        return (SaveCheckpoint(Path.Combine(runFolder, "checkpoints"), policy), adapterLogits, baseLogits);
    }

    private string WriteRunFolder(RunConfig config)
    {
        var runFolder = Path.Combine(folder.Path, "run");
        Directory.CreateDirectory(runFolder);
        File.WriteAllText(Path.Combine(runFolder, "config.json"), RunConfigLoader.ToJson(config));
        return runFolder;
    }

    /// <summary>lora_B starts at zero, where the adapters change nothing; random values make the merge matter.</summary>
    private static void PerturbAdapters(CausalLM policy)
    {
        using var noGrad = no_grad();
        using var generator = new Generator(99);
        foreach (var (name, value) in policy.AdapterStateDict())
            if (name.Contains(".lora_B.", StringComparison.Ordinal))
                value.copy_(randn(value.shape, generator: generator) * 0.5f);
    }

    private static string SaveCheckpoint(string root, CausalLM policy)
    {
        var state = new TrainingState(9, 9, 9, [], new Dictionary<string, string>());
        return TrainingCheckpoint.Save(root, policy, new Dictionary<string, Tensor>(), state, keepLast: 1);
    }

    private static Tensor Logits(CausalLM model)
    {
        model.eval();
        using var noGrad = no_grad();
        using var ids = tensor(InputTokens).unsqueeze(0);
        return model.forward(ids).to_type(ScalarType.Float32);
    }

    private static double MaxRelativeDifference(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        return (actual - expected).abs().max().item<float>() / (double)expected.abs().max().item<float>();
    }

    private static void AssertClose(Tensor expected, Tensor actual, double relative)
    {
        var difference = MaxRelativeDifference(expected, actual);
        Assert.True(difference <= relative, $"logits differ by {difference} relative to their largest, more than {relative}");
    }

    private Task<int> RunAsync(params string[] args)
    {
        var export = new ExportCommand(output, error, ensureTorchAvailable: () => { });
        return GrpoCommandLine.Create(new NoTraining(), Cluster(), exportRunner: export.RunAsync).Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private ClusterCommands Cluster() =>
        new(new FakeClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error);

    private sealed class NoTraining : Grpo.Client.Train.ITrainRunner
    {
        public Task<int> RunAsync(Grpo.Client.Train.TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("export tests start no training");
    }
}
