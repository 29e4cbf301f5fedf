using Orleans.Runtime;

namespace Grpo.Grains.Placement;

/// <summary>
/// Places a grain on the silo its string key names (a silo address in its parsable form), and nowhere else: a grain
/// that stands for one silo's local state must fail once that silo is gone, not come back empty on another one.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("grpo.KeyedSiloPlacement")]
public sealed class KeyedSiloPlacement : PlacementStrategy
{
    public static KeyedSiloPlacement Instance { get; } = new();
}
