namespace Grpo.Grains.Placement;

/// <summary>A capability a silo declares in its Orleans silo metadata; grains ask for one with a placement attribute.</summary>
public enum SiloRole
{
    /// <summary>Generates completions: hosts completion grains and the rollout engine.</summary>
    Rollout,

    /// <summary>Runs the GRPO update: hosts the learner grain and the learner engine.</summary>
    Learner,
}
