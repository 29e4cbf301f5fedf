using Grpo.Abstractions.Contracts;
using Grpo.Client.Progress;

namespace Grpo.Client.Cluster;

/// <summary>The lines <c>grpo status</c> prints for one run.</summary>
public static class StatusText
{
    /// <param name="learnerSilo">The silo hosting the run's learner, shown when one is active.</param>
    public static IReadOnlyList<string> Lines(RunStatus status, string? learnerSilo = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        var state = status.Phase.Length > 0 && !status.IsFinished ? $"{status.State} ({status.Phase})" : status.State.ToString();
        var lines = new List<string>
        {
            $"run {status.RunId}: {state}",
            $"  steps              {status.Step}/{status.TotalSteps}",
            $"  policy version     {status.PolicyVersion}",
            $"  baseline accuracy  {ProgressText.Accuracy(status.BaselineAccuracy)}",
            $"  final accuracy     {ProgressText.Accuracy(status.FinalAccuracy)}",
        };
        lines.Add($"  last checkpoint    {Checkpoint(status)}");
        if (status.CheckpointWarning is { } warning)
        {
            lines.Add($"  checkpoint warning {warning}");
        }

        if (learnerSilo is not null)
        {
            lines.Add($"  learner silo       {learnerSilo}");
        }

        if (status.Error is { } error)
        {
            lines.Add($"  error              {error}");
        }

        return lines;
    }

    /// <summary>e.g. <c>step 5 (/shared/checkpoints/run/step-00000005)</c>, or <c>none</c>.</summary>
    public static string Checkpoint(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.CheckpointStep is { } step
            ? status.CheckpointPath is { } path ? $"step {step} ({path})" : $"step {step}"
            : "none";
    }
}
