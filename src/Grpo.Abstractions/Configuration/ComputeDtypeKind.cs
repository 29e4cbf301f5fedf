using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>Number format of rollout generation (JSON: float32, bfloat16).</summary>
[GenerateSerializer, Alias("grpo.ComputeDtypeKind"), JsonConverter(typeof(SnakeCaseEnumConverter<ComputeDtypeKind>))]
public enum ComputeDtypeKind
{
    /// <summary>Full precision.</summary>
    Float32,

    /// <summary>bfloat16: half the memory and, on devices with bf16 units, faster generation; on most CPUs slower than float32.</summary>
    Bfloat16,
}
