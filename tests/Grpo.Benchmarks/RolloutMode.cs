using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Benchmarks;

/// <summary>One engine configuration under measurement: its own engine, and the time and work of its measured rounds.</summary>
internal sealed class RolloutMode(string name, RunConfig config, IWeightSource source, string runId) : IAsyncDisposable
{
    readonly RolloutEngine engine = new(source, new RunAssetsCache(), new RolloutEngineOptions { WorkerName = $"bench-{name}" });
    readonly Stopwatch measured = new();
    RolloutStats? baseline;
    int rounds;
    long completions;

    public TimeSpan Measured => measured.Elapsed;

    /// <summary>An unmeasured round: builds the model, pulls the weights and lets libtorch allocate, none of which is throughput.</summary>
    public async Task WarmUpAsync(int[][] prompts)
    {
        await RoundAsync(prompts);
        baseline = engine.Stats;
    }

    public async Task MeasureRoundAsync(int[][] prompts)
    {
        measured.Start();
        completions += await RoundAsync(prompts);
        measured.Stop();
        rounds++;
    }

    public RolloutModeResult Result()
    {
        var before = baseline ?? throw new InvalidOperationException($"mode '{name}' was never warmed up");
        var after = engine.Stats;
        var admissions = after.Admissions - before.Admissions;
        return new RolloutModeResult(name, config.RolloutMaxBatch, rounds, completions, after.TokensGenerated - before.TokensGenerated,
            measured.Elapsed.TotalSeconds, admissions, admissions == 0 ? 0 : (double)(after.SequencesGenerated - before.SequencesGenerated) / admissions);
    }

    /// <summary>Every prompt submitted at once, as the completion grains of a step would; returns the completions.</summary>
    async Task<int> RoundAsync(int[][] prompts)
    {
        var outputs = await Task.WhenAll(prompts.Select(prompt => engine.GenerateAsync(runId, config, prompt, 1, CancellationToken.None)));
        return outputs.Length;
    }

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
