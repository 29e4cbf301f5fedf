using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// One key of the run configuration: the property behind it and how its values are read from JSON and from
/// the text of a --set override, so that both sources accept exactly the same values.
/// </summary>
internal sealed class RunConfigKey
{
    private readonly Type valueType;
    private readonly Dictionary<string, object> enumValuesByName;

    public RunConfigKey(string name, PropertyInfo property)
    {
        Name = name;
        Property = property;
        var underlying = Nullable.GetUnderlyingType(property.PropertyType);
        valueType = underlying ?? property.PropertyType;
        AllowsNull = underlying is not null
            || new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;

        enumValuesByName = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        if (valueType.IsEnum)
        {
            foreach (var value in Enum.GetValues(valueType))
            {
                // The name comes from the enum's own JSON converter so that --set and the file format agree.
                var jsonName = JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(value, valueType))!;
                enumValuesByName.Add(jsonName, value);
            }

            EnumNames = [.. enumValuesByName.Keys];
        }

        if (!IsSupported(valueType))
        {
            throw new InvalidOperationException(
                $"RunConfig.{property.Name} (key '{name}') has type {property.PropertyType}, which the loader cannot read.");
        }

        Expected = DescribeExpected();
    }

    public string Name { get; }

    public PropertyInfo Property { get; }

    public bool AllowsNull { get; }

    /// <summary>The JSON names of an enum key's values, in declaration order; empty for other keys.</summary>
    public IReadOnlyList<string> EnumNames { get; } = [];

    /// <summary>What a valid value looks like, for error messages: "a whole number (int)", "one of k1, k2, k3".</summary>
    public string Expected { get; }

    /// <summary>The JSON name of an enum value, e.g. "dr_grpo".</summary>
    public string EnumName(object value) =>
        enumValuesByName.First(pair => pair.Value.Equals(value)).Key;

    public bool TryReadJson(JsonElement element, out object? value, out string problem)
    {
        value = null;
        problem = "";
        if (element.ValueKind == JsonValueKind.Null)
        {
            if (AllowsNull)
            {
                return true;
            }

            problem = $"must not be null; expected {Expected}";
            return false;
        }

        value = ReadJsonValue(element);
        if (value is null)
        {
            problem = $"expected {Expected}, got {Describe(element)}";
            return false;
        }

        return true;
    }

    public bool TryParseText(string text, out object? value, out string problem)
    {
        problem = "";
        if (AllowsNull && (text.Length == 0 || text.Equals("null", StringComparison.OrdinalIgnoreCase)))
        {
            value = null;
            return true;
        }

        if (valueType == typeof(string[]))
        {
            return TrySplitList(text, out value, out problem);
        }

        if (valueType == typeof(IReadOnlyDictionary<string, double>))
        {
            return TryParseWeights(text, out value, out problem);
        }

        value = ParseTextValue(text);
        if (value is null)
        {
            problem = $"'{text}' is not {Expected}";
            return false;
        }

        return true;
    }

    private static bool IsSupported(Type type) =>
        type == typeof(int) || type == typeof(float) || type == typeof(double) || type == typeof(bool)
        || type == typeof(string) || type == typeof(string[]) || type == typeof(IReadOnlyDictionary<string, double>) || type.IsEnum;

    private string DescribeExpected()
    {
        var description = valueType switch
        {
            _ when valueType == typeof(int) => "a whole number (int)",
            _ when valueType == typeof(float) => "a number (float)",
            _ when valueType == typeof(double) => "a number (double)",
            _ when valueType == typeof(bool) => "true or false",
            _ when valueType == typeof(string) => "a string",
            _ when valueType == typeof(string[]) => "a list of strings (a JSON array; comma-separated in --set)",
            _ when valueType == typeof(IReadOnlyDictionary<string, double>) =>
                "an object of names to numbers ({\"answer\": 1.0}; name=number,name=number in --set)",
            _ => "one of " + string.Join(", ", EnumNames),
        };
        return AllowsNull ? description + " or null" : description;
    }

    // Returns null when the element has the wrong JSON type or does not fit the property's type.
    private object? ReadJsonValue(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when valueType == typeof(int):
                return element.TryGetInt32(out var integer) ? integer : null;
            case JsonValueKind.Number when valueType == typeof(float):
                return element.TryGetSingle(out var single) && float.IsFinite(single) ? single : null;
            case JsonValueKind.Number when valueType == typeof(double):
                return element.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;
            case JsonValueKind.True or JsonValueKind.False when valueType == typeof(bool):
                return element.GetBoolean();
            case JsonValueKind.String when valueType == typeof(string):
                return element.GetString();
            case JsonValueKind.String when valueType.IsEnum:
                return enumValuesByName.GetValueOrDefault(element.GetString()!);
            case JsonValueKind.Array when valueType == typeof(string[]):
                if (element.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
                {
                    return null;
                }

                return element.EnumerateArray().Select(item => item.GetString()!).ToArray();
            case JsonValueKind.Object when valueType == typeof(IReadOnlyDictionary<string, double>):
                var weights = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetDouble(out var weight)
                        || !double.IsFinite(weight) || !weights.TryAdd(member.Name, weight))
                    {
                        return null;
                    }
                }

                return (IReadOnlyDictionary<string, double>)weights;
            default:
                return null;
        }
    }

    // Returns null when the text is not a value of the property's type.
    private object? ParseTextValue(string text)
    {
        var trimmed = text.Trim();
        if (valueType == typeof(int))
        {
            return int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? integer : null;
        }

        if (valueType == typeof(float))
        {
            return float.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var single)
                && float.IsFinite(single) ? single : null;
        }

        if (valueType == typeof(double))
        {
            return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && double.IsFinite(number) ? number : null;
        }

        if (valueType == typeof(bool))
        {
            return bool.TryParse(trimmed, out var flag) ? flag : null;
        }

        if (valueType == typeof(string))
        {
            return text;
        }

        return enumValuesByName.GetValueOrDefault(trimmed);
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

    // "answer=1,format=0.1": the --set form of a JSON object of weights.
    private static bool TryParseWeights(string text, out object? value, out string problem)
    {
        value = null;
        problem = "";
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = item.IndexOf('=');
            var name = separator < 0 ? "" : item[..separator].Trim();
            if (name.Length == 0
                || !double.TryParse(item[(separator + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
                || !double.IsFinite(weight))
            {
                problem = $"'{item}' is not name=number (e.g. answer=1,format=0.1)";
                return false;
            }

            if (!weights.TryAdd(name, weight))
            {
                problem = $"'{name}' is given twice";
                return false;
            }
        }

        value = (IReadOnlyDictionary<string, double>)weights;
        return true;
    }

    private static string Describe(JsonElement element)
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
}
