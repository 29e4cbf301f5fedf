namespace Grpo.Core.Algorithm;

/// <summary>How group-relative advantages are scaled after the group mean is subtracted (TRL's <c>scale_rewards</c>).</summary>
public enum ScaleRewards
{
    /// <summary>Divide by the standard deviation of the completion's own group (DeepSeekMath, the default).</summary>
    Group,

    /// <summary>Divide by the standard deviation of the whole batch.</summary>
    Batch,

    /// <summary>No division (Dr. GRPO): the advantage is the reward minus the group mean.</summary>
    None,
}
