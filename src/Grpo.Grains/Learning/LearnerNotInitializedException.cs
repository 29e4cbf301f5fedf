using Orleans.Runtime;

namespace Grpo.Grains.Learning;

/// <summary>
/// A learner activation that has not been initialised was asked to take groups or train: its earlier activation was
/// lost with its silo. An Orleans exception, so callers treat it like the lost grain it stands for: the run grain
/// re-initialises the learner (which resumes from its last checkpoint) and redoes the steps since.
/// </summary>
[GenerateSerializer]
public sealed class LearnerNotInitializedException : OrleansException
{
    public LearnerNotInitializedException(string runId)
        : base($"the learner of run {runId} has not been initialised (its previous activation was lost); the run re-initialises it.")
    {
    }
}
