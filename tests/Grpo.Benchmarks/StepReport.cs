namespace Grpo.Benchmarks;

/// <summary>
/// One step: the cluster's wall time and the direct parts. Messaging is the cluster step minus the parts, never below 0.
/// </summary>
internal sealed record StepSplit(double ClusterStepSeconds, double GenerateSeconds, double ScoreSeconds, double ForwardBackwardSeconds,
    double OptimizerSeconds, double PublishSeconds)
{
    /// <summary>
    /// The cluster step's first phase, from the first prompt grain call until every group reached the learner; the rest is
    /// the learner grain's update and publication. It shows on which side the messaging time goes.
    /// </summary>
    public double ClusterRolloutSeconds { get; init; }

    /// <summary>Admissions of requests into the cluster's rollout engine (a round's first batch, or groups joining free slots) for the step.</summary>
    public long EngineAdmissions { get; init; }

    /// <summary>Prompt prefills the engine ran for the step: one per distinct prompt per batch when the group shares it.</summary>
    public long PromptPrefills { get; init; }

    public double PartsSeconds => GenerateSeconds + ScoreSeconds + ForwardBackwardSeconds + OptimizerSeconds + PublishSeconds;
    public double MessagingSeconds => Math.Max(0, ClusterStepSeconds - PartsSeconds);
    public double MessagingShare => Share(MessagingSeconds);
    public double Share(double seconds) => ClusterStepSeconds > 0 ? seconds / ClusterStepSeconds : 0;

    public static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Each column's median over the steps (robust to a step slowed by other processes).</summary>
    public static StepSplit Median(IReadOnlyList<StepSplit> splits)
    {
        static double Mid(IEnumerable<double> values) => MedianOf(values);
        return new StepSplit(Mid(splits.Select(s => s.ClusterStepSeconds)), Mid(splits.Select(s => s.GenerateSeconds)), Mid(splits.Select(s => s.ScoreSeconds)),
            Mid(splits.Select(s => s.ForwardBackwardSeconds)), Mid(splits.Select(s => s.OptimizerSeconds)), Mid(splits.Select(s => s.PublishSeconds)))
        {
            ClusterRolloutSeconds = Mid(splits.Select(s => s.ClusterRolloutSeconds)),
            EngineAdmissions = (long)Math.Round(Mid(splits.Select(s => (double)s.EngineAdmissions))),
            PromptPrefills = (long)Math.Round(Mid(splits.Select(s => (double)s.PromptPrefills))),
        };
    }
}

/// <param name="MessagingShare">The median over steps of each step's messaging share (steady under bursts of outside load).</param>
internal sealed record StepReport(string Preset, int PromptsPerStep, int GroupSize, int MaxCompletionTokens, int MeasuredSteps, StepSplit Median,
    double MessagingShare, IReadOnlyList<StepSplit> Steps);
