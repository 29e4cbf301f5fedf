using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Grpo.Benchmarks;

/// <summary>
/// Rollout tokens/s by batch size and workload: completion grains in an in-process silo feeding the rollout engine,
/// against the same continuous batcher driven straight from this thread with no Orleans, on the same weights and prompt
/// rows. Each request carries its place in the round, so both sides sample every completion from the same key and do
/// the same work. The two take turns round by round in one process, so load from other processes hits both alike;
/// their ratio is what the cluster costs: grain calls, the engine's queue and its quiet period, the torch thread hop.
/// </summary>
internal static class RolloutScalingBenchmark
{
    const string RunId = "bench-rollout";
    static readonly int[] ShortBatchSizes = [1, 8, 32, 64, 128];
    static readonly int[] LongTailBatchSizes = [32, 128];

    public static async Task<RolloutScalingReport> RunAsync(bool quick, TextWriter log)
    {
        string[] presets = quick ? [BenchRuns.DemoPreset] : [BenchRuns.DemoPreset, BenchRuns.LargePreset];
        (RolloutWorkload Workload, int[] Sizes)[] cases = quick
            ? [(RolloutWorkload.Short, [1, 8]), (RolloutWorkload.LongTail, [32])]
            : [(RolloutWorkload.Short, ShortBatchSizes), (RolloutWorkload.LongTail, LongTailBatchSizes)];
        var rows = new List<RolloutScalingRow>();
        var round = 0;
        foreach (var preset in presets)
        {
            var baseConfig = BenchRuns.Config(preset);
            var assets = RunAssets.Create(baseConfig);
            var image = BenchRuns.SeededImage(assets.Model, baseConfig.Seed);
            var source = new InMemoryWeightSource();
            source.Publish(RunId, 1, image);
            using var folder = new BenchFolder();
            await using var silo = await BenchSilo.StartAsync(rollout: true, learner: false, folder.Path, weights: source);
            var rolloutEngine = silo.Services.GetRequiredService<RolloutEngine>();
            using var model = new CausalLM(assets.Model);
            model.eval();
            WeightSnapshot.Restore(model, image, "benchmark weights");
            var budget = TimeSpan.FromSeconds(quick ? 0 : preset == BenchRuns.DemoPreset ? 3 : 6);
            var minimumRounds = quick ? 1 : 2;
            log.WriteLine($"rollout {preset}: {assets.Model.NumHiddenLayers} layers, hidden {assets.Model.HiddenSize}, group size {baseConfig.GroupSize}");

            foreach (var (workload, sizes) in cases)
            {
                foreach (var size in sizes)
                {
                    var config = workload.Apply(baseConfig) with { RolloutMaxBatch = size };
                    var (prompts, _) = BenchRuns.GroupedRows(assets, size, config.GroupSize);
                    using var plain = PlainBatcher(model, assets, config, prompts);
                    var engine = new Meter();
                    var loop = new Meter();
                    // Unmeasured first round: the engine builds its model and pulls the weights, libtorch sizes its buffers.
                    await EngineRoundAsync(silo.Grains, config, prompts, round);
                    PlainRound(plain, config, prompts, round++);
                    // Rounds come in pairs, one of each on the same keys, in alternating order; the ratio is the median over
                    // pairs, so a burst of load from other processes moves one pair's ratio, not the result.
                    var statsBefore = rolloutEngine.Stats;
                    var pairRatios = new List<double>();
                    var sameTokens = true;
                    int[][] lengths = [];
                    while (pairRatios.Count < minimumRounds || engine.Elapsed < budget || loop.Elapsed < budget)
                    {
                        var at = round++;
                        int[][]? engineTokens = null, loopTokens = null;
                        async Task<double> EngineAsync() => await MeasureAsync(engine, async () => engineTokens = await EngineRoundAsync(silo.Grains, config, prompts, at));
                        Task<double> LoopAsync() => MeasureAsync(loop, () => Task.FromResult(loopTokens = PlainRound(plain, config, prompts, at)));
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
                        sameTokens &= engineTokens!.Zip(loopTokens!).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
                        lengths = engineTokens!;
                    }
                    var statsAfter = rolloutEngine.Stats;
                    var perRound = (double)engine.Rounds;
                    var completionLengths = lengths.Select(tokens => tokens.Length).ToArray();
                    var row = new RolloutScalingRow(preset, workload.Name, size, engine.TokensPerSecond, loop.TokensPerSecond, Median(pairRatios),
                        engine.Rounds, loop.Rounds, completionLengths, sameTokens);
                    rows.Add(row);
                    log.WriteLine($"  {workload.Name,-9} batch {size,4}: engine in cluster {row.EngineTokensPerSecond,8:0} tokens/s, plain batcher {row.PlainTokensPerSecond,8:0} tokens/s, " +
                                  $"median ratio of {pairRatios.Count} paired rounds {row.Ratio:P0}; completions of {Describe(completionLengths, config.MaxCompletionTokens)}" +
                                  $"; engine per round: {(statsAfter.Admissions - statsBefore.Admissions) / perRound:0.0} admissions, {(statsAfter.PromptsPrefilled - statsBefore.PromptsPrefilled) / perRound:0.0} prompt prefills" +
                                  (sameTokens ? "" : "; the two sides sampled different tokens (batched float rounding), so their work differed a little"));
                }
            }
        }
        return new RolloutScalingReport(rows);
    }

    /// <summary>Min, median and max length and the share that reached the limit.</summary>
    static string Describe(int[] lengths, int limit)
    {
        var sorted = lengths.Order().ToArray();
        var atLimit = lengths.Count(length => length >= limit) / (double)lengths.Length;
        return $"{sorted[0]} to {sorted[^1]} tokens (median {sorted[sorted.Length / 2]}, {atLimit:P0} at the limit of {limit})";
    }

    /// <summary>Runs one round, adds it to <paramref name="meter"/> and returns its tokens/s.</summary>
    static async Task<double> MeasureAsync(Meter meter, Func<Task<int[][]>> round)
    {
        var clock = Stopwatch.StartNew();
        var completions = await round();
        var tokens = completions.Sum(tokens => (long)tokens.Length);
        meter.Add(clock.Elapsed, tokens);
        return tokens / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Every row as its own completion grain call, all at once, as a step's prompt grains issue them.</summary>
    static async Task<int[][]> EngineRoundAsync(IGrainFactory grains, RunConfig config, TaskRow[] rows, int round)
    {
        var results = await Task.WhenAll(rows.Select(row =>
            grains.GetGrain<ICompletionGrain>(GrainKeys.Completion(RunId, round, row.Group, row.Sample))
                .GenerateAsync(new CompletionRequest(RunId, config, row.Prompt, row.Answer, row.Tokens, 1)
                {
                    Coordinates = new CompletionCoordinates(round, row.Group, row.Sample, Attempt: 0),
                })));
        return results.Select(result => result.Tokens).ToArray();
    }

    /// <summary>The batcher the engine builds for this configuration and these prompts (slots, prompt room, stop rule).</summary>
    static ContinuousBatcher PlainBatcher(CausalLM model, RunAssets assets, RunConfig config, TaskRow[] rows)
    {
        var sampling = RunOptions.Sampling(config, assets.Codec.StopTokenIds);
        var room = assets.Model.MaxPositionEmbeddings - sampling.MaxNewTokens;
        var longestPrompt = rows.Max(row => row.Tokens.Length);
        return new ContinuousBatcher(model, sampling, config.RolloutMaxBatch, Math.Min(room, Math.Max(RunPolicy.MinSlotPromptTokens, 2 * longestPrompt)),
            assets.Codec.DecodeUntilStop);
    }

    /// <summary>The round's requests decoded straight on this thread, keyed as the engine keys them.</summary>
    static int[][] PlainRound(ContinuousBatcher batcher, RunConfig config, TaskRow[] rows, int round) =>
        batcher.Run(rows.Select(row => new DecodeRequest(row.Tokens, new SampleKey(unchecked((ulong)config.Seed), round, row.Group, row.Sample, Attempt: 0))).ToArray())
            .Select(sequence => sequence.Tokens)
            .ToArray();

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
