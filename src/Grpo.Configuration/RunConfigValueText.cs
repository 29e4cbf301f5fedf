using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Values of configuration keys as people write them: what a type expects (for messages), how a JSON value is
/// described, and how the text of a <c>--set key=value</c> is read into a key's type, so that a file and the command
/// line accept the same values.
/// </summary>
internal static class RunConfigValueText
{
    public const string ComponentListExpected = "a list of components (each a name or an object with \"name\" and its parameters)";

    public static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) => "a whole number (int)",
        _ when type == typeof(float) => "a number (float)",
        _ when type == typeof(double) => "a number (double)",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(string) => "a string",
        _ when type == typeof(string[]) => "a list of strings (a JSON array; comma-separated in --set)",
        _ when type == typeof(ComponentSpec) => ComponentSpecJsonConverter.Expected,
        _ when type == typeof(IReadOnlyList<ComponentSpec>) => ComponentListExpected,
        _ => throw new InvalidOperationException($"RunConfig has a key of type {type}, which the loader cannot read."),
    };

    public static string Describe(JsonElement element)
    {
        var raw = element.GetRawText();
        if (raw.Length > 40)
        {
            raw = raw[..37] + "...";
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => $"the string {raw}",
            JsonValueKind.Number => $"the number {raw}",
            JsonValueKind.True or JsonValueKind.False => raw,
            JsonValueKind.Array => $"the array {raw}",
            JsonValueKind.Object => "an object",
            _ => raw,
        };
    }

    /// <summary>Reads the text of a --set value into the key's type; null with a problem when it is not one.</summary>
    public static bool TryParse(RunConfigKey key, string text, out object? value, out string problem)
    {
        value = null;
        problem = "";
        if (key.AllowsNull && (text.Length == 0 || text.Equals("null", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (key.Type == typeof(string[]))
        {
            return TrySplitList(text, out value, out problem);
        }

        if (key.Type == typeof(ComponentSpec))
        {
            return TryParseComponent(text.Trim(), out value, out problem);
        }

        if (key.Type == typeof(IReadOnlyList<ComponentSpec>))
        {
            return TryParseComponentList(text.Trim(), out value, out problem);
        }

        value = ParseScalar(key.Type, text);
        if (value is null)
        {
            problem = $"'{text}' is not {key.Expected}";
            return false;
        }

        return true;
    }

    /// <summary>A component parameter from --set: any JSON value as written, other text as a string.</summary>
    public static string ParameterJson(string text)
    {
        var trimmed = text.Trim();
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return trimmed;
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(text);
        }
    }

    // Returns null when the text is not a value of the type.
    private static object? ParseScalar(Type type, string text)
    {
        var trimmed = text.Trim();
        if (type == typeof(int))
        {
            return int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer : null;
        }

        if (type == typeof(float))
        {
            return float.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var single) && float.IsFinite(single) ? single : null;
        }

        if (type == typeof(double))
        {
            return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(trimmed, out var flag) ? flag : null;
        }

        return type == typeof(string) ? text : null;
    }

    // "dapo" selects by name; {"name": ..., ...} gives parameters too.
    public static bool TryParseComponent(string text, out object? value, out string problem)
    {
        value = null;
        problem = "";
        if (text.StartsWith('{'))
        {
            return TryDeserialize(text, typeof(ComponentSpec), out value, out problem);
        }

        if (text.Length == 0)
        {
            problem = $"'' is not {ComponentSpecJsonConverter.Expected}";
            return false;
        }

        value = new ComponentSpec(text);
        return true;
    }

    // "answer,format" selects by names; a JSON array gives parameters too.
    private static bool TryParseComponentList(string text, out object? value, out string problem)
    {
        if (text.StartsWith('['))
        {
            return TryDeserialize(text, typeof(IReadOnlyList<ComponentSpec>), out value, out problem);
        }

        problem = "";
        value = (IReadOnlyList<ComponentSpec>)[.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(name => new ComponentSpec(name))];
        return true;
    }

    private static bool TryDeserialize(string text, Type type, out object? value, out string problem)
    {
        value = null;
        problem = "";
        try
        {
            value = JsonSerializer.Deserialize(text, type, RunConfigJson.Options);
            return value is not null || Fail(out problem, "must not be null");
        }
        catch (JsonException exception)
        {
            return Fail(out problem, $"'{text}' is not {Expected(type)}: {JsonMessages.WithoutPosition(exception.Message)}");
        }
    }

    private static bool Fail(out string problem, string message)
    {
        problem = message;
        return false;
    }

    // Comma-separated, because a command line has no arrays. Backslash escapes let a stop string hold a comma
    // or a line break: \, \n \t \\ ; any other escape is refused rather than guessed.
    private static bool TrySplitList(string text, out object? value, out string problem)
    {
        value = null;
        problem = "";
        if (text.Length == 0)
        {
            value = Array.Empty<string>();
            return true;
        }

        var items = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            if (character == ',')
            {
                items.Add(current.ToString());
                current.Clear();
                continue;
            }

            if (character != '\\')
            {
                current.Append(character);
                continue;
            }

            if (i + 1 == text.Length)
            {
                problem = $"'{text}' ends with a lone backslash; escapes are \\, \\n \\t \\\\";
                return false;
            }

            var escaped = text[++i];
            switch (escaped)
            {
                case ',' or '\\':
                    current.Append(escaped);
                    break;
                case 'n':
                    current.Append('\n');
                    break;
                case 't':
                    current.Append('\t');
                    break;
                default:
                    problem = $"'{text}' has the unknown escape \\{escaped}; escapes are \\, \\n \\t \\\\";
                    return false;
            }
        }

        items.Add(current.ToString());
        value = items.ToArray();
        return true;
    }
}
