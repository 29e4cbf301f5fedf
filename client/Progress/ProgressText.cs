using System.Globalization;
using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Progress;

/// <summary>The plain-text forms of progress: one line per step and per phase change, for logs and CI.</summary>
public static class ProgressText
{
    /// <summary>
    /// e.g. <c>step 3/40  reward 0.625  acc 0.410  kl 0.0123  clip 0.050  pad 0.250  1234 tok/s  v3  00:01:23</c>, with
    /// <c>mismatch 0.0042/0.00002  corrected 0.013</c> (mean |Δlogp|/k3 KL of rollout vs learner, fraction corrected) after pad when there is a mismatch.
    /// </summary>
    public static string StepLine(StepMetrics step, long totalSteps, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(step);
        var parts = new List<string>
        {
            $"step {step.Step}/{totalSteps}",
            Invariant($"reward {step.MeanReward:0.000}"),
        };
        if (step.HeldOutAccuracy is { } accuracy)
        {
            parts.Add(Invariant($"acc {accuracy:0.000}"));
        }

        parts.Add(Invariant($"kl {step.MeanKl:0.0000}"));
        parts.Add(Invariant($"clip {step.ClipFraction:0.000}"));
        parts.Add(Invariant($"pad {step.PaddingFraction:0.000}"));
        // Float32 rollouts on the current policy measure exactly 0: the line stays as short as before until there is a mismatch to see.
        if (step.RolloutLogProbDelta != 0 || step.RolloutCorrectedFraction != 0)
        {
            parts.Add(Invariant($"mismatch {step.RolloutLogProbDelta:0.0000}/{step.RolloutKl:0.00000}"));
            parts.Add(Invariant($"corrected {step.RolloutCorrectedFraction:0.000}"));
        }

        parts.Add(Invariant($"{step.TokensPerSecond:0} tok/s"));
        parts.Add($"v{step.PolicyVersion}");
        parts.Add(Elapsed(elapsed));
        return string.Join("  ", parts);
    }

    /// <summary>e.g. <c>00:00:05  WarmingUp: supervised warm-up</c>.</summary>
    public static string PhaseLine(RunStatus status, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(status);
        var phase = string.IsNullOrWhiteSpace(status.Phase) ? "" : ": " + status.Phase;
        return $"{Elapsed(elapsed)}  {status.State}{phase}";
    }

    /// <summary>
    /// A sampled prompt and one line per completion, e.g. <c>sample step 50 prompt 0: "12+7=" (answer 19)</c> then
    /// <c>  reward 1.000  adv +0.935  "19"</c>; line breaks in texts are shown as \n and long texts are cut.
    /// </summary>
    public static IReadOnlyList<string> SampleLines(SampledGroup sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var answer = sample.Answer is null ? "" : $" (answer {OneLine(sample.Answer)})";
        var lines = new List<string> { $"sample step {sample.Step} prompt {sample.PromptIndex}: \"{OneLine(sample.Prompt)}\"{answer}" };
        lines.AddRange(sample.Completions.Select(completion =>
            Invariant($"  reward {completion.Reward:0.000}  adv {completion.Advantage:+0.000;-0.000;0.000}  \"{OneLine(completion.Text)}\"{(completion.Truncated ? " (cut)" : "")}")));
        return lines;
    }

    /// <summary>A text on one line of at most <paramref name="limit"/> characters.</summary>
    public static string OneLine(string text, int limit = 120)
    {
        ArgumentNullException.ThrowIfNull(text);
        var flat = text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return flat.Length <= limit ? flat : flat[..(limit - 1)] + "…";
    }

    /// <summary>e.g. <c>00:00:05  supervised warm-up (loss 0.412) 300/1500 (20%)</c>, or without counts when the length is unknown.</summary>
    public static string ActivityLine(LearnerActivity activity, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var counts = activity.Total > 0 ? Invariant($" {activity.Done}/{activity.Total} ({activity.Done * 100 / activity.Total}%)") : "";
        return $"{Elapsed(elapsed)}  {activity.Action}{counts}";
    }

    /// <summary>Hours, minutes and seconds; hours keep counting past a day.</summary>
    public static string Elapsed(TimeSpan elapsed)
    {
        var clamped = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        return Invariant($"{(long)clamped.TotalHours:00}:{clamped.Minutes:00}:{clamped.Seconds:00}");
    }

    /// <summary>An accuracy as a fixed three-decimal number, or "-" when there is none.</summary>
    public static string Accuracy(double? accuracy) => accuracy is { } value ? Invariant($"{value:0.000}") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
