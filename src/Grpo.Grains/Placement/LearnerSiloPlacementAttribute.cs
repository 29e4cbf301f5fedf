namespace Grpo.Grains.Placement;

/// <summary>Places the grain class only on silos with <c>grpo.learner=true</c> (the learner grain).</summary>
public sealed class LearnerSiloPlacementAttribute(int order = 0) : SiloRolePlacementAttribute(SiloRole.Learner, order);
