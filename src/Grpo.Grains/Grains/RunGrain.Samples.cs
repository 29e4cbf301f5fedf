using Grpo.Abstractions.Contracts;

namespace Grpo.Grains;

/// <summary>The run's sample log: prompts with their completions, rewards and advantages, kept every log_samples_every steps.</summary>
public sealed partial class RunGrain
{
    public Task<SampledGroup[]> GetSamplesAsync(long fromStep) =>
        Task.FromResult(record.State.Samples.Where(s => s.Step >= fromStep).ToArray());

    /// <summary>Called before the step's state is written, so samples are persisted with it; a redone step replaces its samples.</summary>
    void KeepSamples(long step, IEnumerable<GroupOutcome> outcomes)
    {
        var kept = outcomes.Select(o => o.Sample).OfType<SampledGroup>().OrderBy(s => s.PromptIndex).ToArray();
        if (kept.Length == 0) return;
        record.State.Samples.RemoveAll(s => s.Step >= step);
        record.State.Samples.AddRange(kept);
    }
}
