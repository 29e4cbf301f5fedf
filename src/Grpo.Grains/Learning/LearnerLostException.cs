using Orleans.Runtime;

namespace Grpo.Grains.Learning;

/// <summary>
/// The run's learner is no longer the activation the run initialised: its silo died (a fresh activation answers
/// uninitialised, or nobody answers), or it was replaced by one of another lineage. An Orleans exception, so the run
/// handles it like any lost grain: it re-initialises the learner, which resumes from its last checkpoint.
/// </summary>
[GenerateSerializer]
public sealed class LearnerLostException : OrleansException
{
    public LearnerLostException(string message)
        : base(message)
    {
    }
}
