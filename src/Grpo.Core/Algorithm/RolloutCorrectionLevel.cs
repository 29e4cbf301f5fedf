namespace Grpo.Core.Algorithm;

/// <summary>Granularity of a rollout correction's ratio π_learner_old / π_rollout.</summary>
public enum RolloutCorrectionLevel
{
    /// <summary>One ratio per token: <c>exp(logπ_learner_old(o_t) − logπ_rollout(o_t))</c>.</summary>
    Token,

    /// <summary>
    /// One ratio per completion, the product of its token ratios, <c>exp(Σ_t (logπ_learner_old − logπ_rollout))</c>,
    /// shared by all its tokens (veRL's <c>rollout_is: sequence</c>, TRL's <c>sequence_*</c> modes). Unlike GSPO's
    /// ratio it is not length-normalised: it is the importance weight of the whole sequence.
    /// </summary>
    Sequence,
}
