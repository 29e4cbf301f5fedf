using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;
using Orleans.Runtime;

namespace Grpo.Grains;

/// <summary>How the run notices that its learner was lost while it waits on rollouts or training.</summary>
public sealed partial class RunGrain
{
    static readonly TimeSpan LearnerCheckPeriod = TimeSpan.FromSeconds(5);
    const int LearnerCheckFailures = 3;

    /// <summary>
    /// Waits for <paramref name="work"/> while checking every few seconds that the learner is still the activation this loop
    /// initialised (same <paramref name="lineage"/>). A learner lost with its silo otherwise shows only once every retry of
    /// every completion waiting on it has run out; this way the run notices within seconds of the silo being declared dead
    /// (a fresh activation answers uninitialised), or after a few unanswered checks, and re-initialises the learner.
    /// </summary>
    async Task<T> WhileLearnerLivesAsync<T>(Task<T> work, ILearnerGrain learner, LearnerLineage lineage)
    {
        var unanswered = 0;
        while (true)
        {
            if (await Task.WhenAny(work, Task.Delay(LearnerCheckPeriod)) == work) return await work;
            LearnerLineage? current;
            try
            {
                current = await learner.GetLineageAsync().WaitAsync(LearnerCheckPeriod);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                if (++unanswered < LearnerCheckFailures) continue;
                throw new LearnerLostException($"run {RunId}: the learner did not answer {LearnerCheckFailures} checks in a row ({e.Message}).");
            }
            unanswered = 0;
            if (current != lineage)
                throw new LearnerLostException(current is null
                    ? $"run {RunId}: the learner's activation was lost (a fresh one answers, not initialised)."
                    : $"run {RunId}: the learner was replaced (lineage {current}, the loop initialised {lineage}).");
        }
    }
}
