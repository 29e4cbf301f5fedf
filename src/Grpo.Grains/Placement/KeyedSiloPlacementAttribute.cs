using Orleans.Placement;

namespace Grpo.Grains.Placement;

/// <summary>Places the grain class with <see cref="KeyedSiloPlacement"/>: on the silo named by the grain's key.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class KeyedSiloPlacementAttribute() : PlacementAttribute(KeyedSiloPlacement.Instance);
