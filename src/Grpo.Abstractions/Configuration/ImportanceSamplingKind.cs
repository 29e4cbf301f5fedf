using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>Granularity of the importance ratio (JSON: token, sequence).</summary>
[GenerateSerializer, Alias("grpo.ImportanceSamplingKind"), JsonConverter(typeof(SnakeCaseEnumConverter<ImportanceSamplingKind>))]
public enum ImportanceSamplingKind
{
    /// <summary>One ratio per token.</summary>
    Token,

    /// <summary>One ratio per completion: exp of the mean token log-ratio (GSPO).</summary>
    Sequence,
}
