using System.Text.Encodings.Web;
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
            // Files for people and tools, never embedded in HTML: prompts such as "12+38=" stay readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
