namespace Grpo.Core.Algorithm;

/// <summary>What one evaluation of the GRPO objective reports for logging (computed without gradient).</summary>
/// <param name="Loss">The aggregated loss value.</param>
/// <param name="MeanKl">Masked mean of the per-token KL estimate; 0 when no reference log-probs were given.</param>
/// <param name="ClipFractionLow">Fraction of unmasked tokens with ρ &lt; 1-ε_low and A &lt; 0 (the lower clip is active).</param>
/// <param name="ClipFractionHigh">Fraction of unmasked tokens with ρ &gt; 1+ε_high and A &gt; 0 (the upper clip is active).</param>
/// <param name="ClipFraction">ClipFractionLow + ClipFractionHigh.</param>
/// <param name="RatioMin">Smallest ρ over unmasked tokens; NaN when the batch has no unmasked token.</param>
/// <param name="RatioMax">Largest ρ over unmasked tokens; NaN when the batch has no unmasked token.</param>
/// <param name="MeanCompletionLength">Mean number of unmasked tokens per completion.</param>
public sealed record GrpoStats(
    float Loss,
    float MeanKl,
    float ClipFractionLow,
    float ClipFractionHigh,
    float ClipFraction,
    float RatioMin,
    float RatioMax,
    float MeanCompletionLength);
