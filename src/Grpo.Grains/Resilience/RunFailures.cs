using Orleans.Runtime;

namespace Grpo.Grains.Resilience;

/// <summary>What a failure that reached the run loop means for the run.</summary>
public static class RunFailures
{
    /// <summary>
    /// The learner (its silo, or a call to it or to a grain working for it) was lost: a re-initialised learner resumes
    /// from its last checkpoint and the run redoes the steps since. A database failure is an OrleansException too, but
    /// no learner was lost: see <see cref="DatabaseFailures"/>.
    /// </summary>
    public static bool IsLostLearner(Exception failure) =>
        !DatabaseFailures.IsDatabaseFailure(failure)
        && DatabaseFailures.Causes(failure).Any(cause => cause is OrleansException or TimeoutException);

    /// <summary>
    /// Failures a resume may cure once the cause is dealt with: lost silos, an unreachable database, unreadable or
    /// unwritable checkpoint files. A refused configuration or a failing update is not: it would fail again.
    /// </summary>
    public static bool IsOutsideTheRun(Exception failure) =>
        DatabaseFailures.Causes(failure).Any(cause =>
            cause is OrleansException or TimeoutException or IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException);
}
