using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Configuration;

/// <summary>
/// The component names a configuration may select, by kind of component ("reward", "policy loss"), and for some a
/// check of a selection's parameters that reads them without building anything (no file is opened): what the
/// validator needs of the component registries. Kinds the catalog does not hold are not checked here; their
/// components refuse a bad selection when a silo builds them.
/// </summary>
public sealed class ComponentCatalog
{
    private readonly Dictionary<string, Entry> entries;

    private ComponentCatalog(Dictionary<string, Entry> entries) => this.entries = entries;

    public static ComponentCatalog Empty { get; } = new(new Dictionary<string, Entry>(StringComparer.Ordinal));

    /// <summary>
    /// The names registered in <paramref name="registries"/>. A registry without names yet is left out, so it does not
    /// refuse every selection of its kind.
    /// </summary>
    public static ComponentCatalog FromRegistries(GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(registries);
        return registries.Listing()
            .Where(pair => pair.Value.Count > 0)
            .Aggregate(Empty, (catalog, pair) => catalog.With(pair.Key, pair.Value));
    }

    /// <summary>The kinds held, in the order they were added.</summary>
    public IEnumerable<string> Kinds => entries.Values.OrderBy(entry => entry.Order).Select(entry => entry.Kind);

    /// <summary>
    /// A catalog that also knows <paramref name="names"/> of <paramref name="kind"/> (added to any it knew), with
    /// <paramref name="check"/> for their parameters: it throws a <see cref="ComponentException"/> naming the path.
    /// </summary>
    public ComponentCatalog With(string kind, IEnumerable<string> names, Action<ComponentSpec, string>? check = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(names);
        var copy = new Dictionary<string, Entry>(entries, StringComparer.Ordinal);
        var entry = copy.TryGetValue(kind, out var existing) ? existing : new Entry(kind, [], [], copy.Count);
        var merged = entry with { Names = [.. entry.Names.Union(names, StringComparer.Ordinal)], Checks = new Dictionary<string, Action<ComponentSpec, string>>(entry.Checks) };
        if (check is not null)
        {
            foreach (var name in names)
            {
                merged.Checks[name] = check;
            }
        }

        copy[kind] = merged;
        return new ComponentCatalog(copy);
    }

    public bool Knows(string kind) => entries.ContainsKey(kind);

    /// <summary>The names of <paramref name="kind"/>, empty when the catalog does not hold it.</summary>
    public IReadOnlyList<string> Names(string kind) => entries.TryGetValue(kind, out var entry) ? entry.Names : [];

    /// <summary>
    /// Nothing when <paramref name="spec"/> names a known component whose parameters pass its check; otherwise what
    /// is wrong, as a component registry would say it, under <paramref name="path"/> or the parameter's path.
    /// </summary>
    public ComponentException? Check(string kind, ComponentSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!entries.TryGetValue(kind, out var entry))
        {
            return null;
        }

        if (!entry.Names.Contains(spec.Name, StringComparer.Ordinal))
        {
            return new ComponentException(path, $"'{spec.Name}' is not a registered {kind}; {NameSuggestions.Describe(spec.Name, entry.Names)}");
        }

        try
        {
            if (entry.Checks.TryGetValue(spec.Name, out var check))
            {
                check(spec, path);
            }

            return null;
        }
        catch (ComponentException exception)
        {
            return exception;
        }
    }

    private sealed record Entry(string Kind, IReadOnlyList<string> Names, Dictionary<string, Action<ComponentSpec, string>> Checks, int Order);
}
