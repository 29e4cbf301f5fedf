namespace Grpo.Core.Registries;

/// <summary>
/// What a run offers the components it builds besides their own parameters: the task (to a reward that checks
/// answers), the tokenizer, run-wide settings. A component asks for one by type, in its constructor or through
/// <see cref="ComponentArguments.Require{T}"/>.
/// </summary>
public sealed class ComponentServices
{
    readonly Dictionary<Type, object> services = [];

    public static ComponentServices Empty => new();

    /// <summary>Offers <paramref name="service"/> as <typeparamref name="T"/>; a later call for the same type replaces it.</summary>
    public ComponentServices With<T>(T service)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(service);
        services[typeof(T)] = service;
        return this;
    }

    public T? Find<T>()
        where T : class => Find(typeof(T)) as T;

    public object? Find(Type type) =>
        services.TryGetValue(type, out var exact) ? exact : services.Values.FirstOrDefault(type.IsInstanceOfType);

    public IEnumerable<Type> Types => services.Keys;
}
