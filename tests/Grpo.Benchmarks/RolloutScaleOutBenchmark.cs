using System.Collections.Concurrent;
using System.Diagnostics;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Runs;

namespace Grpo.Benchmarks;

/// <summary>
/// Rollout tokens/s of 1 and 2 grpo-silo rollout processes, each pinned to its own core with one torch thread, behind a
/// learner-only silo that publishes the weights. This process is a light client: it keeps a fixed number of completion
/// grain calls per rollout silo in flight (more than the engine's batch, so every engine stays full whatever the random
/// placement does) and counts the tokens of the completions that finish inside the measured window. The window opens
/// once every rollout silo has served a completion (model built, weights pulled) and a warm-up has passed.
/// </summary>
internal static class RolloutScaleOutBenchmark
{
    const int RolloutMaxBatch = 128;
    const int InFlightPerSilo = 2 * RolloutMaxBatch;
    static readonly TimeSpan FirstCompletionTimeout = TimeSpan.FromMinutes(3);

    public static async Task<List<RolloutScaleOutFigure>> RunAsync(bool quick, TextWriter log)
    {
        var warmUp = TimeSpan.FromSeconds(quick ? 2 : 8);
        var window = TimeSpan.FromSeconds(quick ? 5 : 30);
        var config = RolloutWorkload.LongTail.Apply(BenchRuns.Config(BenchRuns.DemoPreset)) with { RolloutMaxBatch = RolloutMaxBatch };
        var assets = RunAssets.Create(config);
        var (rows, _) = BenchRuns.GroupedRows(assets, 4 * InFlightPerSilo, config.GroupSize);
        var figures = new List<RolloutScaleOutFigure>();
        foreach (var silos in new[] { 1, 2 })
        {
            await using var cluster = await ProcessCluster.StartAsync(learnerCore: null, [.. Enumerable.Range(0, silos).Select(core => (int?)core)], metrics: false);
            var runId = $"bench-scaleout-rollout-{silos}";
            await cluster.Client.GetGrain<ILearnerGrain>(runId).InitializeAsync(config);
            var load = LoadAverage.Now();
            var figure = await MeasureAsync(cluster, runId, config, rows, silos, warmUp, window);
            figures.Add(figure with { Load = LoadAverage.Span(load) });
            log.WriteLine($"  {silos} rollout silo(s) ({cluster.Describe()}): {figure.TokensPerSecond:0} tokens/s over {figure.Seconds:0} s, " +
                          $"{figure.Completions} completions ({string.Join(", ", figure.CompletionsBySilo.Values)} by silo), load {figures[^1].Load}");
        }
        return figures;
    }

    static async Task<RolloutScaleOutFigure> MeasureAsync(ProcessCluster cluster, string runId, Abstractions.Configuration.RunConfig config, TaskRow[] rows,
        int silos, TimeSpan warmUp, TimeSpan window)
    {
        var clock = Stopwatch.StartNew();
        var seen = new ConcurrentDictionary<string, bool>();
        var everySiloServed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bySilo = new ConcurrentDictionary<string, int>();
        long tokens = 0, next = 0;
        var completions = 0;
        // Clock ticks at which the window opens and closes; unknown (never) until every silo served a completion.
        var opensAt = long.MaxValue;
        var closesAt = long.MaxValue;

        async Task WorkerAsync()
        {
            while (clock.Elapsed.Ticks < Volatile.Read(ref closesAt))
            {
                var index = Interlocked.Increment(ref next) - 1;
                var row = rows[index % rows.Length];
                var step = index / rows.Length;
                var result = await cluster.Client.GetGrain<ICompletionGrain>(GrainKeys.Completion(runId, step, row.Group, row.Sample))
                    .GenerateAsync(new CompletionRequest(runId, config, row.Prompt, row.Answer, row.Tokens, 0)
                    {
                        Coordinates = new CompletionCoordinates(step, row.Group, row.Sample, Attempt: 0),
                    });
                var at = clock.Elapsed.Ticks;
                if (seen.TryAdd(result.Silo, true) && seen.Count == silos &&
                    Interlocked.CompareExchange(ref opensAt, at + warmUp.Ticks, long.MaxValue) == long.MaxValue)
                {
                    Volatile.Write(ref closesAt, at + warmUp.Ticks + window.Ticks);
                    everySiloServed.TrySetResult();
                }
                if (at < Volatile.Read(ref opensAt) || at > Volatile.Read(ref closesAt)) continue;
                Interlocked.Add(ref tokens, result.Tokens.Length);
                Interlocked.Increment(ref completions);
                bySilo.AddOrUpdate(result.Silo, 1, (_, count) => count + 1);
            }
        }

        var workers = Enumerable.Range(0, InFlightPerSilo * silos).Select(_ => Task.Run(WorkerAsync)).ToArray();
        var first = await Task.WhenAny(everySiloServed.Task, Task.Delay(FirstCompletionTimeout), Task.WhenAll(workers));
        if (first != everySiloServed.Task)
        {
            if (first is Task { IsFaulted: true } failed) await failed;
            throw new InvalidOperationException(
                $"only {seen.Count} of {silos} rollout silos served a completion within {FirstCompletionTimeout.TotalMinutes:0} minutes " +
                $"(random placement should reach every one).{Environment.NewLine}{cluster.Logs()}");
        }
        await Task.WhenAll(workers);
        return new RolloutScaleOutFigure(silos, config.ModelPreset, config.MaxCompletionTokens, config.RolloutMaxBatch, InFlightPerSilo * silos,
            window.TotalSeconds, tokens, completions, tokens / window.TotalSeconds, bySilo.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(), "");
    }
}
