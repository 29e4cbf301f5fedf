namespace Grpo.Grains.Components;

/// <summary>What the silos of the cluster have registered, read from membership and silo metadata by the host.</summary>
public interface IClusterComponents
{
    IReadOnlyList<SiloComponents> ActiveSilos();
}
