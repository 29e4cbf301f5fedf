namespace Grpo.Core.Registries;

/// <summary>
/// Registers a class under a name in the registry of the component interface it implements (a reward, task, policy
/// loss, loss aggregation, advantage estimator, KL estimator, rollout correction or model family). <see cref="GrpoRegistries.AddFromAssembly"/>
/// finds every class that carries it, which is how the built-ins and plugin assemblies are registered: adding a
/// component is one class and this one line.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GrpoComponentAttribute(string name) : Attribute
{
    /// <summary>The name a run configuration uses to select the component, in snake_case by convention.</summary>
    public string Name { get; } = name;

    /// <summary>One sentence for the generated reference of registered names.</summary>
    public string Description { get; init; } = "";
}
