using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>Estimator of the KL divergence to the reference policy (JSON: k1, k2, k3).</summary>
[GenerateSerializer, Alias("grpo.KlEstimatorKind"), JsonConverter(typeof(SnakeCaseEnumConverter<KlEstimatorKind>))]
public enum KlEstimatorKind
{
    /// <summary>log πθ − log πref (unbiased, can be negative per token).</summary>
    K1,

    /// <summary>½ (log πθ − log πref)².</summary>
    K2,

    /// <summary>exp(log πref − log πθ) − (log πref − log πθ) − 1 (DeepSeekMath; unbiased and never negative).</summary>
    K3,
}
