namespace Grpo.Grains.Placement;

/// <summary>Places the grain class only on silos with <c>grpo.rollout=true</c> (completion grains).</summary>
public sealed class RolloutSiloPlacementAttribute(int order = 0) : SiloRolePlacementAttribute(SiloRole.Rollout, order);
