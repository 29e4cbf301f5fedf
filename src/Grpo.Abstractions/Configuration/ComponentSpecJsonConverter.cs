using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Reads a <see cref="ComponentSpec"/> from <c>"name"</c> or <c>{"name": "...", "parameter": value, ...}</c> and writes
/// the bare name when there are no parameters, so a file written by the loader reads like one written by hand.
/// </summary>
public sealed class ComponentSpecJsonConverter : JsonConverter<ComponentSpec>
{
    /// <summary>What a component value looks like, for messages about a value of another JSON type.</summary>
    public const string Expected = "a component name or an object with \"name\" and its parameters";

    public override ComponentSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ComponentSpec(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected {Expected}");
        }

        using var document = JsonDocument.ParseValue(ref reader);
        string? name = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in document.RootElement.EnumerateObject())
        {
            if (member.Name == ComponentSpec.NameKey)
            {
                if (member.Value.ValueKind != JsonValueKind.String)
                {
                    throw new JsonException($"\"{ComponentSpec.NameKey}\" must be a string, got {member.Value.ValueKind.ToString().ToLowerInvariant()}");
                }

                if (name is not null)
                {
                    throw new JsonException($"\"{ComponentSpec.NameKey}\" appears twice");
                }

                name = member.Value.GetString()!;
                continue;
            }

            if (!parameters.TryAdd(member.Name, member.Value.GetRawText()))
            {
                throw new JsonException($"parameter \"{member.Name}\" appears twice");
            }
        }

        return name is null
            ? throw new JsonException($"a component object needs \"{ComponentSpec.NameKey}\" (e.g. {{\"{ComponentSpec.NameKey}\": \"...\"}})")
            : new ComponentSpec(name, parameters);
    }

    public override void Write(Utf8JsonWriter writer, ComponentSpec value, JsonSerializerOptions options)
    {
        if (value.Parameters.Count == 0)
        {
            writer.WriteStringValue(value.Name);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(ComponentSpec.NameKey, value.Name);
        foreach (var (parameter, json) in value.Parameters)
        {
            writer.WritePropertyName(parameter);
            writer.WriteRawValue(json, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }
}
