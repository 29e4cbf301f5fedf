using Orleans.Runtime;

namespace Grpo.Grains.Rollout;

/// <summary>
/// A completion asked for a policy the learner does not have: a version it has not published, or weights of a learner
/// lineage that was since replaced (a restore from a checkpoint). Only requests left over from a lost learner ask that,
/// so the request fails rather than waits. An Orleans exception, so the run treats it like the lost learner it stands
/// for: it re-initialises the learner if need be and redoes the step with fresh prompts.
/// </summary>
[GenerateSerializer]
public sealed class PolicyUnavailableException : OrleansException
{
    public PolicyUnavailableException(string message)
        : base(message)
    {
    }
}
