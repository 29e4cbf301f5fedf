using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Grpo.Grains.Placement;

/// <summary>Puts a <see cref="KeyedSiloPlacement"/> grain on the silo its key names, or fails the call when that silo is not active.</summary>
public sealed class KeyedSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(key);
        }
        catch (Exception error) when (error is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ArgumentException($"grain {target.GrainIdentity}: its key '{key}' is not a silo address, so it has no silo to be placed on.", nameof(target), error);
        }
        if (!context.GetCompatibleSilos(target).Contains(silo))
            throw new SiloUnavailableException($"grain {target.GrainIdentity} lives only on silo {silo}, which is not an active silo of the cluster.");
        return Task.FromResult(silo);
    }
}
