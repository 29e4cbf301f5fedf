using System.Globalization;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The size of the minibatch one optimizer update is taken on, when its loss is computed in several micro-batches
/// (gradient accumulation): the aggregation divides by these counts instead of the micro-batch's own, so the sum of the
/// micro-batch losses, and of their gradients, is the minibatch's.
/// </summary>
/// <param name="Completions">Completions of the minibatch.</param>
/// <param name="Tokens">Unmasked completion tokens of the minibatch (after truncated completions are masked, if they are).</param>
public readonly record struct MinibatchTotals(int Completions, long Tokens)
{
    public void Validate(long rows)
    {
        if (Completions < rows)
            throw new ArgumentException(
                $"MinibatchTotals.Completions is {Completions}, fewer than the {rows.ToString(CultureInfo.InvariantCulture)} completions of this micro-batch.",
                nameof(Completions));
        if (Tokens < 0)
            throw new ArgumentException($"MinibatchTotals.Tokens must be >= 0 (it is {Tokens}).", nameof(Tokens));
    }
}
