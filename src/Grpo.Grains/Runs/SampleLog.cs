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

    public static SampledGroup Capture(PromptAssignment assignment, IReadOnlyList<CompletionResult> completions, IReadOnlyList<float> advantages)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(advantages);
        if (advantages.Count != completions.Count)
            throw new ArgumentException($"{completions.Count} completions but {advantages.Count} advantages.", nameof(advantages));
        return new SampledGroup(assignment.Step, assignment.PromptIndex, assignment.Prompt, assignment.Answer,
            completions.Select((c, i) => new SampledCompletion(c.Text, c.Reward, advantages[i], c.Tokens.Length, c.Truncated, c.PolicyVersion)).ToArray());
    }
}
