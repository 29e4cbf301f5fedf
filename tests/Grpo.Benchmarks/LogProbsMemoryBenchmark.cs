using System.Diagnostics;
using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Benchmarks;

/// <summary>
/// Peak memory of one forward+backward of completion-token log-probs through a bare lm_head matrix, unchunked (logits,
/// log_softmax and their gradients over the whole [tokens, vocab]) next to chunked (<see cref="ChunkedTokenLogProbs"/>),
/// in one run. Peaks are resident-set rises above each case's starting point, so the lm_head weight and hidden states,
/// allocated before, are not counted; the weight's gradient is.
/// </summary>
internal static class LogProbsMemoryBenchmark
{
    public static LogProbsMemoryResult Run(bool quick, TextWriter log)
    {
        // Qwen2.5-0.5B's hidden size and vocabulary, 8 completions x 64 tokens; the quick form only smoke-tests the path.
        // Two chunk sizes show the trade: smaller chunks hold less but multiply by a thinner matrix, which runs slower.
        var (hiddenSize, vocab, tokens, chunks) = quick ? (64, 4096, 2 * 16, new[] { 8 }) : (896, 151_936, 8 * 64, new[] { 64, 256 });
        const double temperature = 0.9;
        var repeats = quick ? 1 : 2;
        var generator = new torch.Generator(17);
        using var weight = (randn([vocab, hiddenSize], generator: generator) * 0.02).requires_grad_();
        using var hidden = randn([tokens, hiddenSize], generator: generator).requires_grad_();
        using var targets = randint(vocab, [tokens], ScalarType.Int64, generator: generator);

        var plain = new List<(double Mb, double Seconds)>();
        var chunked = chunks.ToDictionary(c => c, _ => new List<(double Mb, double Seconds)>());
        for (var r = 0; r < repeats; r++)
        {
            plain.Add(Measure(() => Unchunked(hidden, weight, targets, temperature), weight, hidden));
            foreach (var chunk in chunks)
                chunked[chunk].Add(Measure(() => ChunkedTokenLogProbs.Compute(hidden, weight, targets, temperature, chunk), weight, hidden));
        }
        var result = new LogProbsMemoryResult(hiddenSize, vocab, tokens, repeats, plain.Max(p => p.Mb), plain.Min(p => p.Seconds),
            chunks.Select(c => new LogProbsMemoryResult.Chunked(c, chunked[c].Max(m => m.Mb), chunked[c].Min(m => m.Seconds))).ToArray());
        log.WriteLine($"logprobs: hidden {hiddenSize}, vocab {vocab}, {tokens} tokens, {repeats} run(s) each (peak: the larger, time: the smaller); " +
                      $"[tokens, vocab] float32 is {(double)tokens * vocab * 4 / (1 << 20):0} MB, the weight's gradient {(double)vocab * hiddenSize * 4 / (1 << 20):0} MB");
        log.WriteLine($"  unchunked           peak +{result.UnchunkedPeakMb,8:0} MB  {result.UnchunkedSeconds,6:0.00} s");
        foreach (var c in result.ChunkedCases)
            log.WriteLine($"  chunks of {c.ChunkTokens,-6}    peak +{c.PeakMb,8:0} MB  {c.Seconds,6:0.00} s   {result.UnchunkedPeakMb / c.PeakMb:0.00}x less peak memory");
        return result;
    }

    static Tensor Unchunked(Tensor hidden, Tensor weight, Tensor targets, double temperature)
    {
        var logits = hidden.matmul(weight.t()) / temperature;
        return nn.functional.log_softmax(logits, -1).gather(1, targets.unsqueeze(1)).squeeze(1);
    }

    /// <summary>Peak resident set above the starting point and wall time of one forward + backward, gradients cleared first.</summary>
    static (double Mb, double Seconds) Measure(Func<Tensor> logProbs, Tensor weight, Tensor hidden)
    {
        weight.grad = null;
        hidden.grad = null;
        var clock = Stopwatch.StartNew();
        using var sampler = new ResidentSetSampler();
        using (NewDisposeScope())
        {
            // Per-token weights, as the GRPO loss gives each token its own advantage-scaled gradient.
            var values = logProbs();
            (values * cos(arange(values.numel(), ScalarType.Float32))).sum().backward();
            // The gradients stay alive until here, as an optimizer step would need them.
        }
        var peak = sampler.StopAndPeakAboveBaselineMb();
        var seconds = clock.Elapsed.TotalSeconds;
        weight.grad = null;
        hidden.grad = null;
        return (peak, seconds);
    }
}
