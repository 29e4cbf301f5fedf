using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Writes and reads a configuration enum as its snake_case name ("dr_grpo", "warmup_cosine"), never as a number,
/// so that a configuration file means the same thing whatever order the enum members are declared in.
/// </summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
