using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>How per-token losses are aggregated into the batch loss (JSON: grpo, bnpo, dapo, dr_grpo).</summary>
[GenerateSerializer, Alias("grpo.LossKind"), JsonConverter(typeof(SnakeCaseEnumConverter<LossKind>))]
public enum LossKind
{
    /// <summary>Mean over completions of (sum over tokens / completion length): the DeepSeekMath form.</summary>
    Grpo,

    /// <summary>Sum over all tokens / number of tokens in the batch.</summary>
    Bnpo,

    /// <summary>Sum over all tokens / number of tokens in the batch (DAPO token-level loss).</summary>
    Dapo,

    /// <summary>Sum over tokens / (completions × max_completion_tokens): Dr. GRPO, free of length bias.</summary>
    DrGrpo,
}
