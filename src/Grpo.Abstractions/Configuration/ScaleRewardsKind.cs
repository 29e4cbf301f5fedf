using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>What the group-centred rewards are divided by (JSON: group, batch, none).</summary>
[GenerateSerializer, Alias("grpo.ScaleRewardsKind"), JsonConverter(typeof(SnakeCaseEnumConverter<ScaleRewardsKind>))]
public enum ScaleRewardsKind
{
    /// <summary>Standard deviation of the rewards of the group.</summary>
    Group,

    /// <summary>Standard deviation of the rewards of the whole batch.</summary>
    Batch,

    /// <summary>No division (Dr. GRPO).</summary>
    None,
}
