using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;
using Orleans.Runtime;

namespace Grpo.Grains.Steps;

/// <summary>How the step loop notices that its learner was lost while it waits on rollouts or training.</summary>
/// <param name="lineage">The lineage of the learner activation the loop initialised.</param>
internal sealed class LearnerWatch(string runId, ILearnerGrain learner, LearnerLineage lineage)
{
    static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(5);
    const int CheckFailures = 3;

    /// <summary>
    /// Waits for <paramref name="work"/> while checking every few seconds that the learner is still the activation the loop
    /// initialised. A learner lost with its silo otherwise shows only once every retry of every completion waiting on it has
    /// run out; this way the run notices within seconds of the silo being declared dead (a fresh activation answers
    /// uninitialised), or after a few unanswered checks, and re-initialises the learner.
    /// </summary>
    /// <remarks>
    /// Work that fails for any other reason is checked against the learner too: a learner replaced meanwhile refuses a
    /// step in its own words ("asked to train step 7, but the policy is at version 5", "step 7 has 3 of 8 groups"), which
    /// says the loop's learner was lost, not that the run is broken. Only with its learner unchanged does such a failure
    /// fail the run.
    /// </remarks>
    public async Task<T> WhileLearnerLivesAsync<T>(Task<T> work)
    {
        var unanswered = 0;
        while (true)
        {
            if (await Task.WhenAny(work, Task.Delay(CheckPeriod)) == work) return await WithLearnerCheckedAsync(work);
            LearnerLineage? current;
            try
            {
                current = await learner.GetLineageAsync().WaitAsync(CheckPeriod);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                if (++unanswered < CheckFailures) continue;
                throw new LearnerLostException($"run {runId}: the learner did not answer {CheckFailures} checks in a row ({e.Message}).");
            }
            unanswered = 0;
            if (current != lineage) throw Lost(current, cause: null);
        }
    }

    async Task<T> WithLearnerCheckedAsync<T>(Task<T> work)
    {
        try
        {
            return await work;
        }
        catch (Exception failure) when (failure is not (OrleansException or TimeoutException or OperationCanceledException))
        {
            LearnerLineage? current;
            try
            {
                current = await learner.GetLineageAsync().WaitAsync(CheckPeriod);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                throw new LearnerLostException($"run {runId}: the learner did not answer after {failure.Message.TrimEnd('.')} ({e.Message}).");
            }
            if (current != lineage) throw Lost(current, failure);
            throw;
        }
    }

    LearnerLostException Lost(LearnerLineage? current, Exception? cause)
    {
        var after = cause is null ? "" : $" after: {cause.Message.TrimEnd('.')}";
        return new LearnerLostException(current is null
            ? $"run {runId}: the learner's activation was lost (a fresh one answers, not initialised){after}."
            : $"run {runId}: the learner was replaced (lineage {current}, the loop initialised {lineage}){after}.");
    }
}
