using Orleans.Runtime;

namespace Grpo.Grains.Placement;

/// <summary>
/// Thrown by placement when no active silo declares the role a grain class requires, for example a learner grain
/// called while no learner silo has joined. It travels back to the caller of the grain.
/// </summary>
[GenerateSerializer]
public sealed class NoSiloWithRoleException : OrleansException
{
    public NoSiloWithRoleException(SiloRole role, string grain, int candidateSilos)
        : base(
            $"No active silo has the {SiloRoles.DisplayName(role)} role (silo metadata {SiloRoles.MetadataKey(role)}={SiloRoles.PresentValue}) "
            + $"to place grain {grain}; {candidateSilos} compatible silo(s) were checked. "
            + $"Start a silo with the {SiloRoles.DisplayName(role)} role.")
    {
        Role = role;
    }

    [Id(0)]
    public SiloRole Role { get; private set; }
}
