using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>Run configurations and inputs shared by the benchmarks.</summary>
internal static class BenchRuns
{
    /// <summary>The demo preset (the default run) and the preset of at least 50M parameters.</summary>
    public const string DemoPreset = "tiny";
    public const string LargePreset = "medium50m";

    /// <summary>
    /// The default run on <paramref name="preset"/>, without the supervised warm-up and with a one-example held-out
    /// set: the benchmarks time steps, not the learner's start-up.
    /// </summary>
    public static RunConfig Config(string preset) => new() { ModelPreset = preset, WarmupSftSteps = 0, HeldOutSize = 1 };

    /// <summary>The weight image of the run's model initialised from its seed.</summary>
    public static WeightImage SeededImage(ModelConfig model, int seed)
    {
        torch.manual_seed(seed);
        using var policy = new CausalLM(model);
        return WeightSnapshot.Capture(policy);
    }

    /// <summary>
    /// <paramref name="rows"/> prompt rows as a step lays them out: groups of <paramref name="groupSize"/> copies of one
    /// training prompt (a last, smaller group when rows is not a multiple).
    /// </summary>
    public static (TaskRow[] Rows, int Groups) GroupedRows(RunAssets assets, int rows, int groupSize)
    {
        var groups = (rows + groupSize - 1) / groupSize;
        var examples = assets.Batch(0, groups);
        var result = Enumerable.Range(0, rows).Select(r =>
        {
            var example = examples[r / groupSize];
            return new TaskRow(r / groupSize, r % groupSize, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt));
        }).ToArray();
        return (result, groups);
    }

    /// <summary>Peak resident set of this process (the silos run inside it), in MB: VmHWM on Linux.</summary>
    public static double PeakMemoryMb()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1e6;
    }
}
