using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>One top-level key of <see cref="RunConfig"/>, as its JSON contract and attributes declare it.</summary>
public sealed class RunConfigKey
{
    internal RunConfigKey(JsonPropertyInfo json)
    {
        Json = json;
        Property = (PropertyInfo)json.AttributeProvider!;
        Name = json.Name;
        Type = Nullable.GetUnderlyingType(json.PropertyType) ?? json.PropertyType;
        AllowsNull = Nullable.GetUnderlyingType(json.PropertyType) is not null
            || new NullabilityInfoContext().Create(Property).WriteState == NullabilityState.Nullable;
        Description = Property.GetCustomAttribute<DescriptionAttribute>()?.Description
            ?? throw new InvalidOperationException($"RunConfig.{Property.Name} (key '{Name}') has no [Description]: every key is documented.");
        ComponentKind = Property.GetCustomAttribute<ComponentKindAttribute>()?.Kind;
        Expected = RunConfigValueText.Expected(Type) + (AllowsNull ? " or null" : "");
    }

    internal JsonPropertyInfo Json { get; }

    public PropertyInfo Property { get; }

    /// <summary>The JSON key, e.g. <c>max_completion_tokens</c>.</summary>
    public string Name { get; }

    /// <summary>The value type, without <see cref="Nullable{T}"/>.</summary>
    public Type Type { get; }

    public bool AllowsNull { get; }

    public string Description { get; }

    /// <summary>The kind of component the key selects ("reward", "policy loss"), or null for a plain value.</summary>
    public string? ComponentKind { get; }

    /// <summary>True for a list of components (rewards) rather than one.</summary>
    public bool IsComponentList => Type == typeof(IReadOnlyList<ComponentSpec>);

    /// <summary>What a valid value looks like, for messages: "a whole number (int)", "a string or null".</summary>
    public string Expected { get; }

    public object? ValueIn(RunConfig config) => Json.Get!(config);

    /// <summary>Sets the key on a configuration nobody else has seen yet (through its init accessor).</summary>
    internal void SetOn(RunConfig config, object? value) => Json.Set!(config, value);
}
