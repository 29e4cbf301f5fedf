using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Model;
using Grpo.Core.Training;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// The learner's GRPO update on a step's worth of completions (reference log-probs, forward-backward, AdamW): trained
/// tokens/s and the achieved GFLOP/s of its matrix products, next to the matmul GFLOP/s probed in the same run just
/// before and after each measurement.
/// </summary>
internal static class LearnerBenchmark
{
    public static LearnerReport Run(bool quick, TextWriter log)
    {
        string[] presets = quick ? [BenchRuns.DemoPreset] : [BenchRuns.DemoPreset, BenchRuns.LargePreset];
        var rows = new List<LearnerRow>();
        foreach (var preset in presets)
        {
            var config = BenchRuns.Config(preset);
            // The demo trains a whole default step (64 prompts x 8); the 50M preset one minibatch-sized step.
            if (preset == BenchRuns.LargePreset) config = config with { PromptsPerStep = 8 };
            if (quick) config = config with { PromptsPerStep = 4 };
            rows.Add(Measure(preset, config, quick, log));
        }
        return new LearnerReport(rows);
    }

    /// <summary>Times <paramref name="config"/>'s learner update (untimed once first) next to the matmul probe, labelled <paramref name="label"/>.</summary>
    public static LearnerRow Measure(string label, RunConfig config, bool quick, TextWriter log)
    {
        var probeBudget = TimeSpan.FromSeconds(quick ? 0.2 : 1.5);
        var assets = RunAssets.Create(config);
        var options = RunOptions.Learner(config);
        torch.manual_seed(config.Seed);
        using var policy = new CausalLM(assets.Model);
        using var reference = config.Beta > 0 ? ReferencePolicy.FrozenCopy(policy) : null;
        using var learner = new GrpoLearner(policy, reference, options, assets.PadTokenId);
        var samples = Samples(assets, config.PromptsPerStep * config.GroupSize, config.GroupSize, config.MaxCompletionTokens, config.Seed);
        var flopsPerStep = StepFlops(assets.Model, samples, options, reference is not null);

        learner.Train(samples);
        var matmulBefore = MatmulProbe.GflopsPerSecond(probeBudget);
        var steps = quick ? 1 : 2;
        var before = (learner.ReferenceTime, learner.ForwardBackwardTime, learner.OptimizerTime);
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++) learner.Train(samples);
        var seconds = clock.Elapsed.TotalSeconds;
        var matmulAfter = MatmulProbe.GflopsPerSecond(probeBudget);

        var completionTokens = samples.Sum(s => (long)s.CompletionTokens.Length) * options.NumIterations * steps;
        var achieved = flopsPerStep * steps / seconds / 1e9;
        var matmul = (matmulBefore + matmulAfter) / 2;
        var parameters = policy.parameters().Sum(p => p.numel());
        var row = new LearnerRow(label, parameters, samples.Length, steps, seconds / steps, completionTokens / seconds, achieved, matmul, achieved / matmul,
            (learner.ReferenceTime - before.ReferenceTime).TotalSeconds / steps,
            (learner.ForwardBackwardTime - before.ForwardBackwardTime).TotalSeconds / steps,
            (learner.OptimizerTime - before.OptimizerTime).TotalSeconds / steps);
        log.WriteLine($"learner {label}: {parameters / 1e6:0.0}M parameters, {samples.Length} completions, {row.SecondsPerStep:0.00} s/step, " +
                      $"{row.TokensPerSecond:0} trained tokens/s, {achieved:0.0} GFLOP/s = {row.FractionOfMatmul:P0} of matmul {matmul:0.0} GFLOP/s " +
                      $"(reference {row.ReferenceSeconds:0.00} s, forward-backward {row.ForwardBackwardSeconds:0.00} s, optimizer {row.OptimizerSeconds:0.00} s)");
        return row;
    }

    /// <summary>Groups of the run's prompts with random full-length completions and advantages, as a step hands them over.</summary>
    internal static CompletionSample[] Samples(RunAssets assets, int count, int groupSize, int completionLength, int seed)
    {
        var random = new Random(seed);
        var (rows, _) = BenchRuns.GroupedRows(assets, count, groupSize);
        return rows.Select(row => new CompletionSample(row.Tokens,
            Enumerable.Range(0, completionLength).Select(_ => random.Next(assets.Model.VocabSize)).ToArray(),
            Enumerable.Repeat(-2f, completionLength).ToArray(), (float)(random.NextDouble() * 2 - 1), Truncated: false, PolicyVersion: 0)).ToArray();
    }

    /// <summary>Reference forward once, then a forward and backward (twice the forward) per minibatch per pass.</summary>
    static double StepFlops(ModelConfig model, CompletionSample[] samples, LearnerOptions options, bool withReference)
    {
        var total = 0.0;
        foreach (var minibatch in samples.Chunk(options.MiniBatchSize))
        {
            var completionWidth = minibatch.Max(s => s.CompletionTokens.Length);
            var width = minibatch.Max(s => s.PromptTokens.Length) + completionWidth;
            var forward = ModelFlops.Forward(model, minibatch.Length, width, completionWidth);
            total += (withReference ? forward : 0) + options.NumIterations * 3 * forward;
        }
        return total;
    }
}
