using System.Reflection;

namespace Grpo.Core.Registries;

/// <summary>
/// Named factories of one kind of component (rewards, tasks, policy losses, …). A run configuration selects a
/// component by name and gives it parameters; an unknown name is refused with the registered names, never replaced
/// by a default. Registration happens while a host is built; building components afterwards is thread-safe.
/// </summary>
public sealed class ComponentRegistry<T>
    where T : class
{
    readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <param name="kind">What the components are called in messages: "reward", "policy loss".</param>
    public ComponentRegistry(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        Kind = kind;
    }

    public string Kind { get; }

    /// <summary>Registered names in the order they were added.</summary>
    public IReadOnlyList<string> Names => [.. entries.Values.OrderBy(entry => entry.Order).Select(entry => entry.Name)];

    public bool Contains(string name) => entries.ContainsKey(name);

    /// <summary>The one-sentence description given at registration.</summary>
    public string Describe(string name) => Get(name, Kind).Description;

    /// <summary>The type the name builds, when it was registered as a class (null for a factory delegate).</summary>
    public Type? ImplementationOf(string name) => Get(name, Kind).Implementation;

    /// <summary>Registers a factory; a second registration of the same name replaces the first (a host overriding a built-in).</summary>
    public ComponentRegistry<T> Add(string name, Func<ComponentArguments, T> create, string description = "")
    {
        ArgumentNullException.ThrowIfNull(create);
        return Add(name, create, description, implementation: null);
    }

    /// <summary>
    /// Registers a class, built through its public constructor with the most parameters: each parameter is the
    /// component's <see cref="ComponentArguments"/> or something the run offers (<see cref="ComponentServices"/>).
    /// </summary>
    public ComponentRegistry<T> Add<TImplementation>(string name, string description = "")
        where TImplementation : class, T => Add(name, typeof(TImplementation), description);

    /// <summary>The non-generic form of <see cref="Add{TImplementation}"/>, for classes found by reflection.</summary>
    public ComponentRegistry<T> Add(string name, Type implementation, string description = "")
    {
        ArgumentNullException.ThrowIfNull(implementation);
        if (!typeof(T).IsAssignableFrom(implementation) || implementation.IsAbstract)
        {
            throw new ArgumentException($"{implementation.FullName} is not a concrete {typeof(T).Name}.", nameof(implementation));
        }

        var constructor = implementation.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new ArgumentException($"{implementation.FullName} has no public constructor.", nameof(implementation));
        return Add(name, arguments => (T)Construct(constructor, arguments), description, implementation);
    }

    /// <summary>
    /// Builds the component <paramref name="name"/> with <paramref name="arguments"/>, then refuses any parameter it
    /// did not read. Every failure is a <see cref="ComponentException"/> naming the configuration key.
    /// </summary>
    public T Create(string name, ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var entry = Get(name, arguments.Path);
        T component;
        try
        {
            component = entry.Create(arguments);
        }
        catch (ComponentException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ComponentException(arguments.Path, $"{Kind} '{name}' refused its configuration: {e.Message}", e);
        }

        arguments.EnsureAllRead($"{Kind} '{name}'");
        return component;
    }

    ComponentRegistry<T> Add(string name, Func<ComponentArguments, T> create, string description, Type? implementation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (entries)
        {
            var order = entries.TryGetValue(name, out var existing) ? existing.Order : entries.Count;
            entries[name] = new Entry(name, create, description, implementation, order);
        }

        return this;
    }

    Entry Get(string name, string path)
    {
        ArgumentNullException.ThrowIfNull(name);
        return entries.TryGetValue(name, out var entry)
            ? entry
            : throw new ComponentException(path, $"'{name}' is not a registered {Kind}; {NameSuggestions.Describe(name, Names)}");
    }

    static object Construct(ConstructorInfo constructor, ComponentArguments arguments)
    {
        var values = constructor.GetParameters().Select(parameter => Resolve(parameter, arguments)).ToArray();
        try
        {
            return constructor.Invoke(values);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    static object? Resolve(ParameterInfo parameter, ComponentArguments arguments)
    {
        if (parameter.ParameterType == typeof(ComponentArguments)) return arguments;
        if (arguments.Services.Find(parameter.ParameterType) is { } service) return service;
        if (parameter.HasDefaultValue) return parameter.DefaultValue;
        throw new MissingComponentServiceException(arguments.Path,
            $"{parameter.Member.DeclaringType?.Name} needs a {parameter.ParameterType.Name} ('{parameter.Name}'), which this run does not offer");
    }

    sealed record Entry(string Name, Func<ComponentArguments, T> Create, string Description, Type? Implementation, int Order);
}
