using Grpo.Abstractions.Configuration;
using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// Rollout throughput of the demo run (default RunConfig: tiny preset, arithmetic task): rounds of concurrent requests
/// served by the batching engine and by the same engine with rollout_max_batch = 1, in one process with alternating
/// rounds, so both see the same machine, weights and prompts.
/// </summary>
internal static class BatchingBenchmark
{
    public const double TargetSpeedup = 5;
    const string RunId = "bench";

    public static async Task<BatchingReport> RunAsync(BenchmarkArguments arguments, TextWriter log)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var config = new RunConfig();
        var assets = RunAssets.Create(config);
        var source = new InMemoryWeightSource();
        source.Publish(RunId, 1, DemoWeights(assets.Model, config.Seed));
        var prompts = assets.Batch(0, arguments.Requests).Select(example => assets.Codec.EncodePrompt(example.Prompt)).ToArray();
        var budget = arguments.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);

        log.WriteLine($"rollout: {prompts.Length} concurrent requests, model {config.ModelPreset}, task {config.Task.Name}, " +
                      $"max_completion_tokens {config.MaxCompletionTokens}, about {budget.TotalSeconds:0} s per mode");
        await using var batchedMode = new RolloutMode("batched", config, source, RunId);
        await using var oneAtATimeMode = new RolloutMode("one_at_a_time", config with { RolloutMaxBatch = 1 }, source, RunId);
        await batchedMode.WarmUpAsync(prompts);
        await oneAtATimeMode.WarmUpAsync(prompts);
        // The modes take turns, the one with less measured time going next: each gets about the budget, and a change in
        // the machine's load (other processes) hits both alike.
        while (batchedMode.Measured < budget || oneAtATimeMode.Measured < budget)
        {
            var next = batchedMode.Measured <= oneAtATimeMode.Measured ? batchedMode : oneAtATimeMode;
            await next.MeasureRoundAsync(prompts);
        }

        var batched = batchedMode.Result();
        var oneAtATime = oneAtATimeMode.Result();
        foreach (var result in new[] { batched, oneAtATime })
            log.WriteLine($"  {result.Mode,-14} {result.TokensPerSecond,10:0} tokens/s  ({result.Tokens} tokens in {result.Seconds:0.00} s, " +
                          $"{result.Rounds} rounds, {result.Admissions} admissions, {result.MeanSequencesPerAdmission:0.0} sequences per admission)");

        return new BatchingReport("batching", startedAt, arguments.Quick, config.ModelPreset, config.Task.Name, prompts.Length,
            config.MaxCompletionTokens, Environment.ProcessorCount, batched, oneAtATime,
            batched.TokensPerSecond / oneAtATime.TokensPerSecond, TargetSpeedup);
    }

    static WeightImage DemoWeights(ModelConfig model, int seed)
    {
        torch.manual_seed(seed);
        using var policy = new CausalLM(model);
        return WeightSnapshot.Capture(policy);
    }
}
