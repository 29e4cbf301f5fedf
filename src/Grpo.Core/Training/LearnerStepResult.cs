namespace Grpo.Core.Training;

/// <summary>
/// What one learner step did, averaged over its optimizer updates. With μ = 1 and on-policy samples the ratio is 1
/// and <see cref="Loss"/> sits near zero (minus the mean advantage, which is ~0 by construction) while the gradient
/// is not zero: that is expected, not a bug.
/// </summary>
/// <param name="PaddingFraction">
/// Padded positions over all positions of the step's forward batches ([prompt | completion] rows of each micro-batch):
/// what <see cref="LearnerOptions.GroupByLength"/> lowers.
/// </param>
/// <param name="RolloutLogProbDelta">Mean |logπ_learner_old − logπ_rollout| over the step's counted tokens (<see cref="Algorithm.GrpoStats"/>).</param>
/// <param name="RolloutKl">Mean k3 estimate of KL(π_rollout ‖ π_learner_old) on the rollout's samples.</param>
/// <param name="RolloutCorrectedFraction">Fraction of counted tokens the rollout correction truncated or masked out.</param>
public sealed record LearnerStepResult(
    float Loss,
    float MeanKl,
    float ClipFraction,
    float ClipFractionLow,
    float ClipFractionHigh,
    float RatioMin,
    float RatioMax,
    float MeanCompletionLength,
    float GradNorm,
    double LearningRate,
    int OptimizerUpdates,
    int TrainedTokens,
    float PaddingFraction,
    float RolloutLogProbDelta,
    float RolloutKl,
    float RolloutCorrectedFraction);
