namespace Grpo.Core.Algorithm;

/// <summary>Per-token estimator of KL(πθ ‖ πref) used for the β penalty.</summary>
public enum KlEstimator
{
    /// <summary><c>k1 = logπθ - logπref</c>: unbiased but high variance and can be negative.</summary>
    K1,

    /// <summary><c>k2 = ½(logπθ - logπref)²</c>: low variance, biased.</summary>
    K2,

    /// <summary><c>k3 = exp(logπref - logπθ) - (logπref - logπθ) - 1</c>: unbiased, never negative (DeepSeekMath, the default).</summary>
    K3,
}
