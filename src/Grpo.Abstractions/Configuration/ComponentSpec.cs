using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// The choice of one named component (a task, a reward, a policy loss, ...) and its parameters, as a run configuration
/// writes it: a bare name (<c>"k3"</c>) or an object (<c>{"name": "format", "weight": 0.2}</c>). Parameters are kept as
/// compact JSON text by name, sorted, so that two selections written differently but meaning the same are equal and a
/// run's configuration keeps one definition of sameness. The component itself reads and types its parameters.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.ComponentSpec")]
[JsonConverter(typeof(ComponentSpecJsonConverter))]
public sealed record ComponentSpec
{
    /// <summary>The key of the name in the object form; no parameter may be called so.</summary>
    public const string NameKey = "name";

    private static readonly JsonWriterOptions CompactWriter = new() { Indented = false };

    [Id(0)] private readonly string name;

    // Parallel arrays sorted by parameter name (ordinal): Orleans serialises them, and equality compares them by content.
    [Id(1)] private readonly string[] parameterNames;
    [Id(2)] private readonly string[] parameterJson;

    /// <param name="name">The registered name of the component.</param>
    /// <param name="parameters">Parameters as JSON text by name (<c>"0.2"</c>, <c>"\"####\""</c>); null means none.</param>
    /// <exception cref="ArgumentException">A parameter is called "name" or its text is not one JSON value.</exception>
    public ComponentSpec(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        this.name = name;
        var sorted = (parameters ?? new Dictionary<string, string>())
            .Select(pair => (Name: pair.Key, Json: Canonical(pair.Key, pair.Value)))
            .OrderBy(pair => pair.Name, StringComparer.Ordinal)
            .ToArray();
        parameterNames = [.. sorted.Select(pair => pair.Name)];
        parameterJson = [.. sorted.Select(pair => pair.Json)];
    }

    /// <summary>A component selected by name alone, so a configuration can be written <c>LossType = "dapo"</c>.</summary>
    public static implicit operator ComponentSpec(string name) => new(name);

    public string Name => name;

    /// <summary>Each parameter's compact JSON text, by name in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Parameters =>
        parameterNames.Zip(parameterJson).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);

    public bool HasParameter(string parameter) => Array.BinarySearch(parameterNames, parameter, StringComparer.Ordinal) >= 0;

    /// <summary>The parameter as a JSON value, or null when the selection does not give it.</summary>
    public JsonElement? Parameter(string parameter)
    {
        var index = Array.BinarySearch(parameterNames, parameter, StringComparer.Ordinal);
        return index < 0 ? null : Parse(parameterJson[index]);
    }

    /// <summary>The parameters as JSON values by name: the form the component registries read.</summary>
    public IReadOnlyDictionary<string, JsonElement> ParametersAsJson() =>
        parameterNames.Zip(parameterJson).ToDictionary(pair => pair.First, pair => Parse(pair.Second), StringComparer.Ordinal);

    /// <summary>A copy with <paramref name="parameter"/> set to <paramref name="value"/> written as JSON.</summary>
    public ComponentSpec WithParameter(string parameter, object? value) =>
        WithParameterJson(parameter, JsonSerializer.Serialize(value));

    /// <summary>A copy with <paramref name="parameter"/> set to the JSON text <paramref name="json"/>.</summary>
    public ComponentSpec WithParameterJson(string parameter, string json)
    {
        var parameters = new Dictionary<string, string>(Parameters, StringComparer.Ordinal) { [parameter] = json };
        return new ComponentSpec(name, parameters);
    }

    /// <summary>A copy without <paramref name="parameter"/> (the same selection when it is not given).</summary>
    public ComponentSpec WithoutParameter(string parameter)
    {
        var parameters = new Dictionary<string, string>(Parameters, StringComparer.Ordinal);
        parameters.Remove(parameter);
        return new ComponentSpec(name, parameters);
    }

    public bool Equals(ComponentSpec? other) =>
        other is not null
        && string.Equals(name, other.name, StringComparison.Ordinal)
        && parameterNames.AsSpan().SequenceEqual(other.parameterNames)
        && parameterJson.AsSpan().SequenceEqual(other.parameterJson);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(name, StringComparer.Ordinal);
        for (var i = 0; i < parameterNames.Length; i++)
        {
            hash.Add(parameterNames[i], StringComparer.Ordinal);
            hash.Add(parameterJson[i], StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>The bare name, or the name and its parameters as compact JSON: what error messages and logs show.</summary>
    public override string ToString() => JsonSerializer.Serialize(this);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    // Rewritten compactly so that whitespace, comments or escapes in a hand-written file never make two equal choices differ.
    private static string Canonical(string parameter, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameter);
        if (parameter == NameKey)
        {
            throw new ArgumentException($"'{NameKey}' is the component's name, not a parameter.", nameof(parameter));
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
            {
                document.RootElement.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"parameter '{parameter}' is not one JSON value: {json}", nameof(json), exception);
        }
    }
}
