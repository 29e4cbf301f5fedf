namespace Grpo.Core.Training;

/// <summary>Where the π_old of the importance ratio comes from (<c>old_logprobs</c>).</summary>
public enum OldLogProbSource
{
    /// <summary>The log-probs the rollout engine recorded while sampling (the behaviour policy as it computed it).</summary>
    Rollout,

    /// <summary>
    /// The learner's own log-probs of the step's completions, computed with its weights before the step's first update,
    /// without gradient (veRL's <c>recompute_log_prob</c>, TRL's <c>old_per_token_logps</c>): the ratio then compares
    /// the learner with itself, and the rollout's numbers are left to the rollout correction.
    /// </summary>
    Recompute,
}
