namespace Grpo.Core.Algorithm;

/// <summary>Granularity of the importance ratio between the current policy and the one that generated a completion.</summary>
public enum ImportanceSampling
{
    /// <summary>One ratio per token: <c>ρ_t = exp(logπθ(o_t) - logπ_old(o_t))</c>.</summary>
    Token,

    /// <summary>One ratio per completion, exp of the masked mean token log-ratio, shared by all its tokens (GSPO).</summary>
    Sequence,
}
