namespace Grpo.Core.Algorithm;

/// <summary>How per-token losses are aggregated into one scalar (TRL's <c>loss_type</c>).</summary>
public enum LossType
{
    /// <summary>Mean over completions of (masked token sum / that completion's length): the DeepSeekMath form.</summary>
    Grpo,

    /// <summary>Masked token sum / number of unmasked tokens in the batch.</summary>
    Bnpo,

    /// <summary>Same normalisation as <see cref="Bnpo"/> on one learner (DAPO's token-level loss).</summary>
    Dapo,

    /// <summary>Masked token sum / (completions × <see cref="GrpoOptions.MaxCompletionTokens"/>): no length bias (Dr. GRPO).</summary>
    DrGrpo,
}
