using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Client;
using Grpo.Client.Eval;
using Grpo.Client.Progress;
using Grpo.Cluster.Tests.Client;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using Grpo.Grains.Runs;
using static TorchSharp.torch;

namespace Grpo.Cluster.Tests.Eval;

/// <summary>
/// grpo eval of a LoRA checkpoint: the engine serves the run's base with the checkpoint's adapters, so its greedy
/// completions are the adapter model's, which are also those of the merged export; a configuration without LoRA is refused.
/// </summary>
public sealed class LoraEvalTests : IDisposable
{
    // top_k = 1 makes sampling greedy, so the engine's completions can be compared with the policy's greedy ones.
    private static readonly RunConfig Config = new() { Seed = 11, HeldOutSize = 12, MaxCompletionTokens = 4, TopK = 1, LoraRank = 2, LoraAlpha = 4 };
    private static readonly string[] ConfigOverrides = ["seed=11", "held_out_size=12", "max_completion_tokens=4", "top_k=1", "lora_rank=2", "lora_alpha=4"];

    private static readonly TaskExample[] Problems =
    [
        new("3+4=", "7"), new("12+30=", "42"), new("5+5=", "10"), new("8-3=", "5"), new("21+2=", "23"), new("9+9=", "18"),
    ];

    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Eval_of_a_lora_checkpoint_gives_the_adapter_models_completions_which_the_merged_export_shares()
    {
        var assets = RunAssets.Create(Config);
        string checkpoint;
        string[] adapterGreedy, baseGreedy;
        using (var policy = RunBaseModel.Create(assets))
        {
            PerturbAdapters(policy);
            policy.eval();
            adapterGreedy = Greedy(policy, assets);
            using (policy.AdaptersDisabled()) baseGreedy = Greedy(policy, assets);
            var state = new TrainingState(7, 7, 7, [], new Dictionary<string, string>());
            checkpoint = TrainingCheckpoint.Save(Path.Combine(folder.Path, "checkpoints"), policy, new Dictionary<string, Tensor>(), state, keepLast: 1);
        }
        // Otherwise evaluating the base alone would pass this test.
        Assert.NotEqual(baseGreedy, adapterGreedy);

        var merged = Path.Combine(folder.Path, "merged");
        FinalModelExport.ExportFinalModel(assets, checkpoint, merged, HfExportDType.Float32);
        using (var exported = HfModelDirectory.Load(merged))
        {
            exported.eval();
            Assert.Equal(adapterGreedy, Greedy(exported, assets));
        }

        // The first problem's answer is what the adapter model writes, so eval must score it solved.
        var dataset = folder.File("problems.jsonl", string.Concat(Problems.Select((p, i) =>
            JsonSerializer.Serialize(new { question = p.Prompt, answer = i == 0 ? adapterGreedy[0] : p.Answer }) + "\n")));
        var report = Path.Combine(folder.Path, "report.json");

        var code = await Run(new EvalOptions { CheckpointPath = Path.Combine(folder.Path, "checkpoints"), DatasetPath = dataset, OutputPath = report, Overrides = ConfigOverrides });

        Assert.True(code == ExitCodes.Success, error.ToString());
        Assert.Contains($"eval of checkpoint {checkpoint} (step 7)", output.ToString());
        var written = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(report));
        Assert.Equal(checkpoint, written.GetProperty("source").GetString());
        var results = written.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(adapterGreedy, results.Select(r => r.GetProperty("completions")[0].GetProperty("text").GetString()).ToArray());
        Assert.Equal(1, results[0].GetProperty("correct").GetInt32());
    }

    [Fact]
    public async Task A_lora_checkpoint_evaluated_under_a_configuration_without_lora_is_refused()
    {
        using (var policy = RunBaseModel.Create(RunAssets.Create(Config)))
        {
            var state = new TrainingState(3, 3, 3, [], new Dictionary<string, string>());
            TrainingCheckpoint.Save(Path.Combine(folder.Path, "checkpoints"), policy, new Dictionary<string, Tensor>(), state, keepLast: 1);
        }

        var code = await Run(new EvalOptions
        {
            CheckpointPath = Path.Combine(folder.Path, "checkpoints"), Overrides = ["seed=11", "held_out_size=12", "max_completion_tokens=4"], Limit = 2,
        });

        Assert.Equal(ExitCodes.InvalidArguments, code);
        Assert.Contains("holds LoRA adapters (adapter_config.json), but the run configuration has lora_rank 0", error.ToString());
    }

    private async Task<int> Run(EvalOptions options)
    {
        var command = new EvalCommand(new PlainActionProgressView(new StringWriter()), output, error);
        return await command.RunAsync(EvalArguments.Resolve(options), CancellationToken.None);
    }

    private static string[] Greedy(CausalLM model, RunAssets assets) =>
        PolicyEvaluator.GenerateGreedy(model, assets.Codec, Problems, Config.MaxCompletionTokens, batchSize: 8, assets.PadTokenId);

    /// <summary>lora_B starts at zero, where the adapters change nothing; random values make them matter.</summary>
    private static void PerturbAdapters(CausalLM policy)
    {
        using var noGrad = no_grad();
        using var generator = new Generator(42);
        foreach (var (name, value) in policy.AdapterStateDict())
            if (name.Contains(".lora_B.", StringComparison.Ordinal))
                value.copy_(randn(value.shape, generator: generator));
    }
}
