using System.Diagnostics;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// Rollout tokens/s by batch size: completion grains in an in-process silo feeding the rollout engine, against a plain
/// <see cref="Generator"/> loop on the same weights and prompt rows with no Orleans. The two take turns round by round
/// in one process, so load from other processes hits both alike; their ratio is the engine's overhead.
/// </summary>
internal static class RolloutScalingBenchmark
{
    const string RunId = "bench-rollout";
    static readonly int[] BatchSizes = [1, 8, 32, 64, 128];

    public static async Task<RolloutScalingReport> RunAsync(bool quick, TextWriter log)
    {
        string[] presets = quick ? [BenchRuns.DemoPreset] : [BenchRuns.DemoPreset, BenchRuns.LargePreset];
        int[] sizes = quick ? [1, 8] : BatchSizes;
        var rows = new List<RolloutScalingRow>();
        var round = 0;
        foreach (var preset in presets)
        {
            var config = BenchRuns.Config(preset);
            var assets = RunAssets.Create(config);
            var image = BenchRuns.SeededImage(assets.Model, config.Seed);
            var source = new InMemoryWeightSource();
            source.Publish(RunId, 1, image);
            using var folder = new BenchFolder();
            await using var silo = await BenchSilo.StartAsync(rollout: true, learner: false, folder.Path, weights: source);
            using var plain = new PlainGenerator(assets, image, (ulong)config.Seed);
            var budget = TimeSpan.FromSeconds(quick ? 0 : preset == BenchRuns.DemoPreset ? 3 : 6);
            var minimumRounds = quick ? 1 : 2;
            log.WriteLine($"rollout {preset}: {assets.Model.NumHiddenLayers} layers, hidden {assets.Model.HiddenSize}, " +
                          $"max_completion_tokens {config.MaxCompletionTokens}, group size {config.GroupSize}");

            foreach (var size in sizes)
            {
                var sized = config with { RolloutMaxBatch = size };
                var (prompts, _) = BenchRuns.GroupedRows(assets, size, config.GroupSize);
                var tokens = prompts.Select(p => p.Tokens).ToArray();
                var sampling = RunOptions.Sampling(sized, assets.Codec.EosTokenId);
                var engine = new Meter();
                var loop = new Meter();
                // Unmeasured first rounds: the engine builds its model and pulls the weights, libtorch sizes its buffers.
                await EngineRoundAsync(silo.Grains, sized, prompts, round++);
                plain.Generate(tokens, sampling);
                // Rounds come in pairs, one of each, in alternating order; the ratio is the median over pairs, so a burst
                // of load from other processes moves one pair's ratio, not the result.
                var pairRatios = new List<double>();
                while (pairRatios.Count < minimumRounds || engine.Elapsed < budget || loop.Elapsed < budget)
                {
                    Task<double> EngineAsync() => MeasureAsync(engine, () => EngineRoundAsync(silo.Grains, sized, prompts, round++));
                    Task<double> LoopAsync() => MeasureAsync(loop, () => Task.FromResult(plain.Generate(tokens, sampling)));
                    double engineRate, loopRate;
                    if (pairRatios.Count % 2 == 0)
                    {
                        engineRate = await EngineAsync();
                        loopRate = await LoopAsync();
                    }
                    else
                    {
                        loopRate = await LoopAsync();
                        engineRate = await EngineAsync();
                    }
                    pairRatios.Add(engineRate / loopRate);
                }
                var row = new RolloutScalingRow(preset, size, engine.TokensPerSecond, loop.TokensPerSecond, Median(pairRatios), engine.Rounds, loop.Rounds);
                rows.Add(row);
                log.WriteLine($"  batch {size,4}: engine in cluster {row.EngineTokensPerSecond,8:0} tokens/s, plain loop {row.PlainTokensPerSecond,8:0} tokens/s, " +
                              $"median ratio of {pairRatios.Count} paired rounds {row.Ratio:P0}");
            }
        }
        return new RolloutScalingReport(rows);
    }

    /// <summary>Runs one round, adds it to <paramref name="meter"/> and returns its tokens/s.</summary>
    static async Task<double> MeasureAsync(Meter meter, Func<Task<long>> round)
    {
        var clock = Stopwatch.StartNew();
        var tokens = await round();
        meter.Add(clock.Elapsed, tokens);
        return tokens / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Every row as its own completion grain call, all at once, as a step's prompt grains issue them.</summary>
    static async Task<long> EngineRoundAsync(IGrainFactory grains, Abstractions.Configuration.RunConfig config, TaskRow[] rows, int round)
    {
        var results = await Task.WhenAll(rows.Select(row =>
            grains.GetGrain<ICompletionGrain>(GrainKeys.Completion(RunId, round, row.Group, row.Sample))
                .GenerateAsync(new CompletionRequest(RunId, config, row.Prompt, row.Answer, row.Tokens, 1))));
        return results.Sum(result => (long)result.Tokens.Length);
    }

    /// <summary>The decoding the engine does, straight on the caller's thread: model, generator, random stream.</summary>
    sealed class PlainGenerator : IDisposable
    {
        readonly CausalLM model;
        readonly Generator generator;
        readonly torch.Generator random;

        public PlainGenerator(RunAssets assets, WeightImage image, ulong seed)
        {
            model = new CausalLM(assets.Model);
            model.eval();
            WeightSnapshot.Restore(model, image, "benchmark weights");
            generator = new Generator(model, assets.PadTokenId, tokens => assets.Codec.DecodeCompletion(tokens));
            random = new torch.Generator(seed);
        }

        public long Generate(int[][] prompts, SamplingOptions sampling) =>
            generator.Generate(prompts, sampling, random).Sum(sequence => (long)sequence.Tokens.Length);

        public void Dispose()
        {
            random.Dispose();
            model.Dispose();
        }
    }

    sealed class Meter
    {
        public TimeSpan Elapsed { get; private set; }
        public long Tokens { get; private set; }
        public int Rounds { get; private set; }
        public double TokensPerSecond => Tokens / Elapsed.TotalSeconds;

        public void Add(TimeSpan elapsed, long tokens)
        {
            Elapsed += elapsed;
            Tokens += tokens;
            Rounds++;
        }
    }
}
