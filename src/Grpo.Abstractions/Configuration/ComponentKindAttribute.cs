namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Marks a <see cref="RunConfig"/> key that selects components, with the kind of component it selects as the component
/// registries call it ("reward", "policy loss"), so names can be checked and listed without a second table of keys.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ComponentKindAttribute(string kind) : Attribute
{
    public string Kind { get; } = kind;
}
