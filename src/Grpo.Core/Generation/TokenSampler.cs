using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Generation;

/// <summary>Chooses the next token of each row from its logits: greedy, or temperature with top-k / top-p filtering, from a torch generator or from per-row keyed streams.</summary>
public static class TokenSampler
{
    /// <summary>Next tokens [B] int64 for logits [B, V] (float32, already divided by the temperature when sampling).</summary>
    public static Tensor Choose(Tensor scaledLogits, SamplingOptions options, torch.Generator? rng)
    {
        if (options.Temperature == 0)
            return scaledLogits.argmax(-1);
        using var scope = NewDisposeScope();
        var filtered = TopP(TopK(scaledLogits, options.TopK), options.TopP);
        var probabilities = nn.functional.softmax(filtered, -1);
        return multinomial(probabilities, 1, replacement: false, generator: rng).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Next tokens of each row for logits [B, V] (float32, already divided by the temperature when sampling), drawn from
    /// row r's own stream: greedy takes the argmax; sampling inverts the CDF of the row's top-k / top-p filtered
    /// distribution at <paramref name="keys"/>[r].Uniform(<paramref name="positions"/>[r]). The inversion runs on the CPU
    /// in double precision so the choice depends on the row's probabilities and key only, never on a device's kernels.
    /// </summary>
    public static long[] ChooseKeyed(Tensor scaledLogits, SamplingOptions options, IReadOnlyList<SampleKey> keys, IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(scaledLogits);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(positions);
        var rows = (int)scaledLogits.shape[0];
        if (keys.Count != rows || positions.Count != rows)
            throw new ArgumentException($"ChooseKeyed needs one key and one position per row: {rows} rows, {keys.Count} keys, {positions.Count} positions", nameof(keys));
        using var scope = NewDisposeScope();
        if (options.Temperature == 0)
            return scaledLogits.argmax(-1).cpu().data<long>().ToArray();
        var filtered = TopP(TopK(scaledLogits, options.TopK), options.TopP);
        var probabilities = nn.functional.softmax(filtered, -1).to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        var vocab = (int)scaledLogits.shape[1];
        var chosen = new long[rows];
        for (var r = 0; r < rows; r++)
            chosen[r] = InverseCdf(probabilities.AsSpan(r * vocab, vocab), keys[r].Uniform(positions[r]));
        return chosen;
    }

    /// <summary>
    /// The token whose cumulative probability interval [F(i-1), F(i)) holds <paramref name="uniform"/> × the total mass
    /// (the total, not 1, so float rounding of the softmax cannot push the target past the end). Zero-probability tokens
    /// (filtered out) own an empty interval and are never chosen.
    /// </summary>
    public static int InverseCdf(ReadOnlySpan<float> probabilities, double uniform)
    {
        if (!(uniform >= 0 && uniform < 1))
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, "the uniform must be in [0, 1)");
        var total = 0.0;
        var last = -1;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] > 0)) continue;
            total += probabilities[i];
            last = i;
        }
        if (last < 0)
            throw new ArgumentException("the distribution has no token with positive probability", nameof(probabilities));
        var target = uniform * total;
        var cumulative = 0.0;
        for (var i = 0; i < last; i++)
        {
            if (!(probabilities[i] > 0)) continue;
            cumulative += probabilities[i];
            if (target < cumulative) return i;
        }
        return last;
    }

    /// <summary>Sets every logit below the k-th largest of its row to -inf (k = 0 or k &gt;= V: unchanged).</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[^1]) return logits.alias();
        using var scope = NewDisposeScope();
        var (values, _) = logits.topk(k, dim: -1);
        var threshold = values.narrow(-1, k - 1, 1);
        return logits.masked_fill(logits.lt(threshold), float.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Keeps, per row, the most likely tokens until their probability mass reaches p (always at least the top one)
    /// and sets the rest to -inf (p = 1: unchanged).
    /// </summary>
    public static Tensor TopP(Tensor logits, float p)
    {
        if (p >= 1f) return logits.alias();
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(-1, descending: true);
        var probabilities = nn.functional.softmax(sorted, -1);
        var massBefore = probabilities.cumsum(-1) - probabilities;
        var dropSorted = massBefore.gt(p);
        var drop = zeros_like(dropSorted).scatter(-1, order, dropSorted);
        return logits.masked_fill(drop, float.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
