namespace Grpo.Grains.Components;

/// <summary>One active silo of the cluster with the components it registered (null when it published no listing).</summary>
public sealed record SiloComponents(string Silo, IReadOnlyList<string> Roles, ComponentListing? Listing);
