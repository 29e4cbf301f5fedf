using System.Globalization;
using System.Text.Json;

namespace Grpo.Core.Registries;

/// <summary>
/// The parameters a run configuration gives one component (<c>{"name": "http", "url": "…", "timeout_seconds": 10}</c>
/// less its name), read by the component with typed getters. Every read is recorded, so a parameter that no getter
/// asked for is refused as unknown once the component is built, naming it and what the component does read: a
/// component declares its parameters by reading them, and a misspelt one never passes silently.
/// </summary>
public sealed class ComponentArguments
{
    readonly IReadOnlyDictionary<string, JsonElement> values;
    readonly Dictionary<string, string> read = new(StringComparer.Ordinal);

    /// <param name="path">The configuration key of the component, e.g. <c>rewards[1]</c>; errors name <c>path.parameter</c>.</param>
    /// <param name="values">The component's parameters by name; null means none.</param>
    /// <param name="services">What the run offers the component (task, tokenizer, settings).</param>
    public ComponentArguments(string path, IReadOnlyDictionary<string, JsonElement>? values = null, ComponentServices? services = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        this.values = values ?? new Dictionary<string, JsonElement>();
        Services = services ?? ComponentServices.Empty;
    }

    public string Path { get; }

    public ComponentServices Services { get; }

    /// <summary>Every parameter given, read or not.</summary>
    public IEnumerable<string> Names => values.Keys;

    /// <summary>The parameters read so far with a description of their type and default, for help and errors.</summary>
    public IReadOnlyDictionary<string, string> Read => read;

    public bool Has(string name) => values.ContainsKey(name);

    public double GetDouble(string name, double defaultValue) =>
        Get(name, $"a number (default {Show(defaultValue)})", defaultValue, element =>
            element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value) && double.IsFinite(value) ? (true, value) : (false, 0.0));

    public float GetFloat(string name, float defaultValue) => (float)GetDouble(name, defaultValue);

    public int GetInt(string name, int defaultValue) =>
        Get(name, $"a whole number (default {defaultValue})", defaultValue, element =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) ? (true, value) : (false, 0));

    public bool GetBool(string name, bool defaultValue) =>
        Get(name, $"true or false (default {(defaultValue ? "true" : "false")})", defaultValue, element =>
            (element.ValueKind is JsonValueKind.True or JsonValueKind.False, element.ValueKind == JsonValueKind.True));

    public string GetString(string name, string defaultValue) =>
        Get(name, $"a string (default '{defaultValue}')", defaultValue, element =>
            (element.ValueKind == JsonValueKind.String, element.ValueKind == JsonValueKind.String ? element.GetString()! : ""));

    public string? GetOptionalString(string name) =>
        Get<string?>(name, "a string (optional)", null, element =>
            (element.ValueKind is JsonValueKind.String or JsonValueKind.Null, element.ValueKind == JsonValueKind.String ? element.GetString() : null));

    /// <summary>A string parameter without a default: leaving it out is an error naming it.</summary>
    public string RequireString(string name)
    {
        read[name] = "a string (required)";
        if (!values.ContainsKey(name))
        {
            throw new ComponentException($"{Path}.{name}", "is required");
        }

        return GetString(name, "");
    }

    /// <summary>One of <paramref name="allowed"/>, compared exactly.</summary>
    public string GetChoice(string name, string defaultValue, params string[] allowed)
    {
        var value = Get(name, $"one of {string.Join(", ", allowed)} (default {defaultValue})", defaultValue, element =>
            (element.ValueKind == JsonValueKind.String, element.ValueKind == JsonValueKind.String ? element.GetString()! : ""));
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new ComponentException($"{Path}.{name}", $"must be one of {string.Join(", ", allowed)}, got '{value}'");
        }

        return value;
    }

    /// <summary>A list of strings; a single string is taken as a list of one.</summary>
    public IReadOnlyList<string> GetStrings(string name, IReadOnlyList<string> defaultValue) =>
        Get(name, "a list of strings", defaultValue, element => element.ValueKind switch
        {
            JsonValueKind.String => (true, [element.GetString()!]),
            JsonValueKind.Array when element.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
                (true, element.EnumerateArray().Select(item => item.GetString()!).ToArray()),
            _ => (false, Array.Empty<string>()),
        });

    /// <summary>The raw JSON of a parameter for components with structured parameters (objects, mixed lists).</summary>
    public JsonElement? GetJson(string name)
    {
        read[name] = "any JSON value";
        return values.TryGetValue(name, out var element) ? element.Clone() : null;
    }

    /// <summary>Something the run offers (see <see cref="ComponentServices"/>); its absence is an error naming the component.</summary>
    public T Require<T>()
        where T : class =>
        Services.Find<T>() ?? throw new MissingComponentServiceException(Path, $"needs a {typeof(T).Name}, which this run does not offer");

    /// <summary>Refuses the parameters no getter read, naming each and the ones this component does read.</summary>
    public void EnsureAllRead(string componentDescription)
    {
        foreach (var name in values.Keys)
        {
            if (read.ContainsKey(name)) continue;
            var accepted = read.Count == 0 ? "it takes no parameters" : "it takes " + string.Join(", ", read.Keys.Order(StringComparer.Ordinal));
            var suggestion = NameSuggestions.Closest(name, read.Keys) is { } closest ? $"did you mean '{closest}'? " : "";
            throw new ComponentException($"{Path}.{name}", $"is not a parameter of {componentDescription}; {suggestion}({accepted})");
        }
    }

    T Get<T>(string name, string expected, T defaultValue, Func<JsonElement, (bool Ok, T Value)> parse)
    {
        read[name] = expected;
        if (!values.TryGetValue(name, out var element))
        {
            return defaultValue;
        }

        var (ok, value) = parse(element);
        return ok ? value : throw new ComponentException($"{Path}.{name}", $"expected {expected}, got {Describe(element)}");
    }

    static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the value {element.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "a list",
        _ => "an object",
    };

    static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
