using System.Diagnostics;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using TorchSharp;

namespace Grpo.Benchmarks;

/// <summary>
/// Continuous batching (<see cref="ContinuousBatcher"/>) against static batching (<see cref="Generator"/> on batches of
/// as many requests as the batcher has slots, in arrival order, each batch decoded until its longest row ends) on the
/// seeded <see cref="LongTailWorkload"/>, for the tiny and 50M presets, in one process with alternating rounds. Both
/// sample every completion from the same key and stop it after the same per-request number of tokens, so they
/// produce the same tokens and the ratio of their tokens/s is the batching policy's gain alone.
/// </summary>
internal static class LongTailBenchmark
{
    public const double TargetRatio = 1.5;
    const int Seed = 7;
    const int GroupSize = 8;
    const int Vocab = 4096;

    public static LongTailReport Run(bool quick, TextWriter log)
    {
        // The quick form proves the path runs; its tail is cut short, so its ratio says little.
        var cases = quick
            ? new[] { (Preset: BenchRuns.DemoPreset, Config: ModelPresets.Tiny(Vocab), Requests: 32, Slots: 8, Longest: 48, Rounds: 1) }
            :
            [
                (BenchRuns.DemoPreset, ModelPresets.Tiny(Vocab), 256, 32, 256, 3),
                (BenchRuns.LargePreset, ModelPresets.Medium50M(Vocab), 128, 32, 256, 1),
            ];
        var rows = cases.Select(c => Measure(c.Preset, c.Config, c.Requests, c.Slots, c.Longest, c.Rounds, log)).ToArray();
        return new LongTailReport(rows, TargetRatio);
    }

    static LongTailRow Measure(string preset, ModelConfig config, int requests, int slots, int longest, int rounds, TextWriter log)
    {
        torch.manual_seed(Seed);
        using var model = new CausalLM(config);
        model.eval();
        var workload = LongTailWorkload.Create(requests, GroupSize, longest, config.VocabSize, Seed);
        var options = new SamplingOptions { Temperature = 1f, MaxNewTokens = longest };
        var median = workload.CompletionLengths.Order().ElementAt(requests / 2);
        log.WriteLine($"long-tail: {preset}, {requests} requests in groups of {GroupSize}, {slots} slots, completions of " +
                      $"{workload.CompletionLengths.Min()} to {workload.CompletionLengths.Max()} tokens (median {median}, {workload.Tokens} in all)");

        var staticSeconds = 0.0;
        var continuousSeconds = 0.0;
        for (var round = 0; round < rounds; round++)
        {
            // Alternating, so a change in the machine's load hits both alike.
            staticSeconds += Timed(() => RunStatic(model, options, workload, slots));
            continuousSeconds += Timed(() => RunContinuous(model, options, workload, slots, longest));
        }
        var staticRate = workload.Tokens * rounds / staticSeconds;
        var continuousRate = workload.Tokens * rounds / continuousSeconds;
        var ratio = continuousRate / staticRate;
        log.WriteLine($"  static {staticRate,8:0} tokens/s   continuous {continuousRate,8:0} tokens/s   ratio {ratio:0.00}x " +
                      $"(target >= {TargetRatio:0.0}x: {(ratio >= TargetRatio ? "met" : "NOT met")})");
        return new LongTailRow(preset, requests, slots, longest, median, workload.Tokens, staticRate, continuousRate, ratio, rounds);
    }

    static double Timed(Func<long> run)
    {
        var start = Stopwatch.GetTimestamp();
        var tokens = run();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return tokens > 0 ? seconds : throw new InvalidOperationException("the long-tail benchmark generated no tokens");
    }

    static long RunStatic(CausalLM model, SamplingOptions options, LongTailWorkload workload, int batchSize)
    {
        var generator = new Generator(model, padTokenId: 0);
        var tokens = 0L;
        for (var start = 0; start < workload.Requests; start += batchSize)
        {
            var count = Math.Min(batchSize, workload.Requests - start);
            var sequences = generator.Generate(workload.Prompts[start..(start + count)], options, workload.Keys[start..(start + count)],
                workload.CompletionLengths[start..(start + count)]);
            tokens += sequences.Sum(sequence => (long)sequence.Tokens.Length);
        }
        return CheckedTokens(tokens, workload);
    }

    static long RunContinuous(CausalLM model, SamplingOptions options, LongTailWorkload workload, int slots, int longest)
    {
        using var batcher = new ContinuousBatcher(model, options, slots, LongTailWorkload.PromptTokens);
        var requests = workload.Prompts.Select((prompt, r) => new DecodeRequest(prompt, workload.Keys[r], workload.CompletionLengths[r])).ToArray();
        var sequences = batcher.Run(requests);
        return CheckedTokens(sequences.Sum(sequence => (long)sequence.Tokens.Length), workload);
    }

    // Both modes must do the workload's work exactly, or their rates would not compare.
    static long CheckedTokens(long tokens, LongTailWorkload workload) => tokens == workload.Tokens
        ? tokens
        : throw new InvalidOperationException($"the long-tail benchmark generated {tokens} tokens, the workload asks for {workload.Tokens}");
}
