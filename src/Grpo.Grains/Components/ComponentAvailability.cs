namespace Grpo.Grains.Components;

/// <summary>
/// The cluster-wide rule for plugins: a run may only start when every active silo has registered every component
/// its configuration names, because any rollout silo may score a completion and any learner silo may rebuild the run.
/// A silo that joins later without the plugin fails the completions placed on it, naming the component.
/// </summary>
public static class ComponentAvailability
{
    /// <summary>One sentence per missing component, naming the key, the component and the silos that lack it; empty when all agree.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<RequiredComponent> required, IReadOnlyList<SiloComponents> silos)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(silos);
        var problems = new List<string>();
        foreach (var component in required)
        {
            var lacking = silos.Where(silo => silo.Listing is { } listing && !listing.Has(component.Kind, component.Name))
                .Select(silo => $"{silo.Silo} ({string.Join(",", silo.Roles)})")
                .ToArray();
            if (lacking.Length > 0)
            {
                problems.Add($"{component.Path}: {component.Kind} '{component.Name}' is not registered on silo {string.Join(", ", lacking)}; " +
                    "start every silo with the plugin that provides it (--plugins DIR)");
            }
        }

        return problems;
    }
}
