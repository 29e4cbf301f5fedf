using Grpo.Core.Registries;

namespace Grpo.Grains.Components;

/// <summary>
/// The component names one silo has registered, by registry kind, as it publishes them in its silo metadata
/// (<c>grpo.components</c>), so a run can be refused before it starts when some silo could not build its reward or task.
/// </summary>
public sealed class ComponentListing
{
    public const string MetadataKey = "grpo.components";

    readonly IReadOnlyDictionary<string, IReadOnlySet<string>> namesByKind;

    ComponentListing(IReadOnlyDictionary<string, IReadOnlySet<string>> namesByKind) => this.namesByKind = namesByKind;

    public static ComponentListing Of(GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(registries);
        return new(registries.Listing().ToDictionary(
            pair => pair.Key, pair => (IReadOnlySet<string>)pair.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));
    }

    public bool Has(string kind, string name) => namesByKind.TryGetValue(kind, out var names) && names.Contains(name);

    public IEnumerable<string> Kinds => namesByKind.Keys;

    /// <summary>"reward=answer,format|task=arithmetic,csv": kinds sorted, names sorted, so equal listings read equal.</summary>
    public string ToMetadataValue() => string.Join("|", namesByKind.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(pair => pair.Key + "=" + string.Join(",", pair.Value.Order(StringComparer.Ordinal))));

    /// <summary>The listing a silo published; null when it published none (a silo of an older build).</summary>
    public static ComponentListing? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(MetadataKey, out var value)) return null;
        var kinds = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var part in value.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = part.IndexOf('=');
            if (separator <= 0) continue;
            kinds[part[..separator]] = part[(separator + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }

        return new(kinds);
    }
}
