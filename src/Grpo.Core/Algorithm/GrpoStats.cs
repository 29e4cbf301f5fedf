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
/// <param name="RolloutLogProbDelta">Mean |logπ_learner_old − logπ_rollout| over unmasked tokens; 0 without <see cref="BehaviourMismatch"/> inputs.</param>
/// <param name="RolloutKl">
/// Mean k3 estimate of KL(π_rollout ‖ π_learner_old) over unmasked tokens: <c>r − 1 − log r</c> with
/// <c>r = π_learner_old / π_rollout</c> on the rollout's own samples (veRL's <c>rollout_corr/k3_kl</c>); never negative.
/// </param>
/// <param name="RolloutCorrectedFraction">Fraction of unmasked tokens whose weight the rollout correction truncated or masked out.</param>
public sealed record GrpoStats(
    float Loss,
    float MeanKl,
    float ClipFractionLow,
    float ClipFractionHigh,
    float ClipFraction,
    float RatioMin,
    float RatioMax,
    float MeanCompletionLength,
    float RolloutLogProbDelta = 0f,
    float RolloutKl = 0f,
    float RolloutCorrectedFraction = 0f);
