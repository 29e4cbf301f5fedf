using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Runs;

/// <summary>Which prompts a run keeps for users to read (log_samples_every, log_samples_prompts) and what it keeps of them.</summary>
public static class SampleLog
{
    /// <summary>The first log_samples_prompts prompts of every log_samples_every-th step, counting from step 0.</summary>
    public static bool Keeps(RunConfig config, long step, int promptIndex)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.LogSamplesEvery > 0 && step % config.LogSamplesEvery == 0 && promptIndex < config.LogSamplesPrompts;
    }

    /// <summary>
    /// Sampled prompts a run keeps in its durable state, which is rewritten on every step: enough for a watcher that
    /// joins late to see recent ones, bounded so long runs with long completions do not bloat every state write.
    /// </summary>
    public const int MaxKeptGroups = 200;

    /// <summary>
    /// Adds a step's samples to <paramref name="kept"/>: samples of that step or later (a step redone after the learner
    /// was lost) are replaced, and only the newest <paramref name="maxKept"/> remain.
    /// </summary>
    public static void Append(List<SampledGroup> kept, long step, IEnumerable<SampledGroup> fresh, int maxKept = MaxKeptGroups)
    {
        ArgumentNullException.ThrowIfNull(kept);
        ArgumentNullException.ThrowIfNull(fresh);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKept, 1);
        var added = fresh.OrderBy(s => s.PromptIndex).ToArray();
        if (added.Length == 0) return;
        kept.RemoveAll(s => s.Step >= step);
        kept.AddRange(added);
        if (kept.Count > maxKept) kept.RemoveRange(0, kept.Count - maxKept);
    }

    /// <param name="advantages">The advantages the learner trained the group's completions with, in their order.</param>
    public static SampledGroup Capture(ScoredGroup group, IReadOnlyList<float> advantages)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(advantages);
        if (advantages.Count != group.Completions.Length)
            throw new ArgumentException($"{group.Completions.Length} completions but {advantages.Count} advantages.", nameof(advantages));
        return new SampledGroup(group.Step, group.PromptIndex, group.Prompt, group.Answer,
            group.Completions.Select((c, i) => new SampledCompletion(c.Text, c.Reward, advantages[i], c.Tokens.Length, c.Truncated, c.PolicyVersion)).ToArray());
    }
}
