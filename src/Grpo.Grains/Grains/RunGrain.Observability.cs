using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;

namespace Grpo.Grains;

/// <summary>
/// What users watch besides status and metrics: the sample log (prompts with their completions, rewards and advantages,
/// kept every log_samples_every steps), the learner's current long action and the silo it lives on.
/// </summary>
public sealed partial class RunGrain
{
    static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(2);

    public async Task<LearnerActivity?> GetActivityAsync()
    {
        if (record.State.Config is null || record.State.Status.IsFinished) return null;
        try
        {
            // Bounded, because this grain serves no other request (status, stop) while it waits.
            return await GrainFactory.GetGrain<ILearnerGrain>(RunId).GetActivityAsync().WaitAsync(ActivityTimeout);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // A lost or unreachable learner has no activity to show; the run loop itself recovers it.
            return null;
        }
    }

    public async Task<string?> GetLearnerSiloAsync()
    {
        if (record.State.Config is null) return null;
        try
        {
            // The grain directory's answer, not a call to the learner: a call would activate a learner that is not there.
            var learner = GrainFactory.GetGrain<ILearnerGrain>(RunId);
            var silo = await GrainFactory.GetGrain<IManagementGrain>(0).GetActivationAddress(learner).AsTask().WaitAsync(ActivityTimeout);
            // The form each silo prints when it joins, e.g. 10.0.0.5:11111@154519611.
            return silo?.ToParsableString();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // A directory partition on a dying silo cannot answer for a moment; status then shows no learner silo.
            return null;
        }
    }

    public Task<SampledGroup[]> GetSamplesAsync(long fromStep) =>
        Task.FromResult(record.State.Samples.Where(s => s.Step >= fromStep).ToArray());
}
