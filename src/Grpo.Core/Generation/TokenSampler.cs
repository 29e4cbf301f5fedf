using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Generation;

/// <summary>Chooses the next token of each row from its logits: greedy, or temperature with top-k / top-p filtering.</summary>
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
