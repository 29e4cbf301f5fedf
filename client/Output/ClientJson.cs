using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grpo.Client.Output;

/// <summary>The JSON shape of every file the client writes: camelCase keys, enums as names.</summary>
public static class ClientJson
{
    /// <summary>One object per line, for metrics.jsonl.</summary>
    public static JsonSerializerOptions Line { get; } = Create(indented: false);

    /// <summary>Indented, for files people open by hand.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,
            // A diverged step reports NaN or infinity; writing it must not end the run's record.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
