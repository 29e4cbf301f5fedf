using System.Globalization;
using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Tests.HfModels;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// Peak memory of the embedded <c>grpo train</c> on a Hugging Face model directory of Qwen2.5-0.5B's shape (random
/// weights written here, the real Qwen3 tokenizer, a small gsm8k file): each case of <see cref="MemoryCase.FileName"/>
/// runs 2 steps in a child process of its own, so its peak resident set is the child's VmHWM alone, reported with
/// bytes per parameter and the accounting from tensor sizes (<see cref="MemoryAccounting"/>). Then the learner's
/// GFLOP/s at that shape against the matmul probe. The quick form uses a tiny shape and takes seconds.
/// </summary>
internal static class MemoryBenchmark
{
    /// <summary>The settings every case shares: the user's report, 2 steps of 2 prompts x 4 completions of 32 tokens.</summary>
    static readonly IReadOnlyDictionary<string, string> Shared = new Dictionary<string, string>
    {
        ["steps"] = "2",
        ["prompts_per_step"] = "2",
        ["group_size"] = "4",
        ["max_completion_tokens"] = "32",
        ["minibatch_size"] = "4",
        ["warmup_sft_steps"] = "0",
        ["held_out_size"] = "1",
        ["beta"] = "0.04",
    };

    const int DatasetRows = 16;

    public static async Task<MemoryReport> RunAsync(BenchmarkArguments arguments, TextWriter log)
    {
        var quick = arguments.Quick;
        var shape = quick ? MemoryShapes.Tiny() : MemoryShapes.Qwen25HalfB();
        var shapeName = quick ? "tiny" : "qwen2.5-0.5b";
        if (arguments.Layers is { } layers)
        {
            shape = shape with { NumHiddenLayers = layers };
            shapeName += $" with {layers} layers";
        }
        var client = Path.GetFullPath(arguments.Client ?? Path.Combine(AppContext.BaseDirectory, "grpo.dll"));
        if (!File.Exists(client)) throw new FileNotFoundException($"--client '{client}' does not exist; build client/Grpo.Client.csproj or name its grpo.dll.", client);
        var cases = MemoryCase.Read(Path.Combine(AppContext.BaseDirectory, MemoryCase.FileName));
        // The smoke form checks that a case runs and is measured; every child pays a silo's start-up, so one is enough.
        if (quick) cases = cases.Take(1).ToArray();
        if (arguments.Case is { } only)
            cases = cases.Where(c => c.Name == only).ToArray() is { Length: > 0 } chosen
                ? chosen
                : throw new ArgumentException($"--case '{only}' is not in {MemoryCase.FileName} (cases: {string.Join(", ", MemoryCase.Read(Path.Combine(AppContext.BaseDirectory, MemoryCase.FileName)).Select(c => c.Name))}).");

        using var folder = new BenchFolder();
        var modelDirectory = Path.Combine(folder.Path, "model");
        log.WriteLine($"memory: writing a {shapeName} model directory with random weights to {modelDirectory}");
        var tensors = WriteModel(modelDirectory, shape);
        var dataset = WriteDataset(Path.Combine(folder.Path, "gsm8k.jsonl"));
        var configPath = WriteConfig(Path.Combine(folder.Path, "run.json"), modelDirectory, dataset);

        var rows = new List<MemoryRow>();
        foreach (var memoryCase in cases)
        {
            var settings = new Dictionary<string, string>(Shared);
            foreach (var setting in memoryCase.Settings) settings[setting.Split('=', 2)[0]] = setting.Split('=', 2)[1];
            var accounting = MemoryAccounting.Of(tensors, shape.VocabSize, settings);
            string[] command =
            [
                "exec", client, "train", "--config", configPath, "--out", Path.Combine(folder.Path, "runs", memoryCase.Name),
                "--run-id", "memory-" + memoryCase.Name, .. memoryCase.Settings.SelectMany(s => new[] { "--set", s }),
            ];
            log.WriteLine($"memory {memoryCase.Name}: grpo train {string.Join(' ', memoryCase.Settings)}");
            var result = await ChildPeakMemory.RunAsync(DotnetHost(), command, folder.Path, TimeSpan.FromMinutes(quick ? 5 : 40));
            var row = new MemoryRow(memoryCase.Name, string.Join(' ', memoryCase.Settings), result.ExitCode == 0, result.PeakBytes,
                (double)result.PeakBytes / accounting.Parameters, result.Seconds, accounting, result.ExitCode == 0 ? null : result.OutputTail);
            rows.Add(row);
            Describe(row, log);
        }

        // The learner's figure belongs to the shape's own size; a run shrunk with --layers compares memory only.
        var learner = arguments.Layers is null ? MeasureLearner(modelDirectory, dataset, quick, log) : null;
        return new MemoryReport(shapeName, client, rows, learner);
    }

    static void Describe(MemoryRow row, TextWriter log)
    {
        static string Gb(long bytes) => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture);
        var a = row.Accounting;
        if (!row.Succeeded) log.WriteLine($"  FAILED after {row.Seconds:0} s:{Environment.NewLine}{row.Failure}");
        log.WriteLine($"  peak RSS {Gb(row.PeakBytes)} GB = {row.BytesPerParameter:0.0} B/param ({a.Parameters / 1e6:0.0}M parameters, " +
                      $"{a.TrainableParameters / 1e6:0.0}M trained), {row.Seconds:0} s");
        log.WriteLine($"  accounted {Gb(a.Total)} GB: policy {Gb(a.Policy)}, grads {Gb(a.Gradients)}, optimizer {Gb(a.Optimizer)}, reference {Gb(a.Reference)}, " +
                      $"engine copy {Gb(a.EngineCopy)}, publication {Gb(a.Publication)}, logits {Gb(a.Logits)}; " +
                      $"the other {Gb(row.PeakBytes - a.Total)} GB is runtime, libtorch, activations and transient copies");
    }

    /// <summary>The 0.5B-shape learner update (beta 0: no reference copy) with this run's matmul probe, in this process.</summary>
    static LearnerRow MeasureLearner(string modelDirectory, string dataset, bool quick, TextWriter log)
    {
        var config = new RunConfig
        {
            ModelPath = modelDirectory,
            Task = new ComponentSpec("gsm8k", new Dictionary<string, string> { ["path"] = JsonSerializer.Serialize(dataset) }),
            PromptsPerStep = 2,
            GroupSize = 4,
            MaxCompletionTokens = 32,
            MinibatchSize = 4,
            WarmupSftSteps = 0,
            HeldOutSize = 1,
            Beta = 0,
        };
        return LearnerBenchmark.Measure(quick ? "tiny shape" : "qwen2.5-0.5b shape", config, quick, log);
    }

    static IReadOnlyDictionary<string, long[]> WriteModel(string directory, ModelConfig shape)
    {
        torch.manual_seed(7);
        using var model = new CausalLM(shape);
        HfModelDirectory.Save(directory, model);
        TinyHfModel.CopyTokenizer(directory);
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
    }

    static string WriteDataset(string path)
    {
        var random = new Random(11);
        File.WriteAllLines(path, Enumerable.Range(0, DatasetRows).Select(_ =>
        {
            var (a, b) = (random.Next(2, 90), random.Next(2, 90));
            return JsonSerializer.Serialize(new { question = $"Tom has {a} apples and buys {b} more. How many apples does he have?", answer = $"{a} + {b} = {a + b}\n#### {a + b}" });
        }));
        return path;
    }

    static string WriteConfig(string path, string modelDirectory, string dataset)
    {
        var json = new Dictionary<string, object>
        {
            ["model_path"] = modelDirectory,
            ["task"] = new Dictionary<string, string> { ["name"] = "gsm8k", ["path"] = dataset },
        };
        foreach (var (key, value) in Shared) json[key] = double.Parse(value, CultureInfo.InvariantCulture);
        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>The dotnet host that runs this benchmark (set by the SDK and by `dotnet exec`), else the one on PATH.</summary>
    static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
