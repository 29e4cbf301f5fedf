using Grpo.Abstractions.Contracts;
using ScottPlot;

namespace Grpo.Client.Output;

/// <summary>
/// Draws chart.png: mean reward per step on the left axis and held-out accuracy on the right axis (the baseline at
/// step 0, every evaluated step, and the final accuracy at the last step).
/// </summary>
public sealed class ProgressChart(int width = 900, int height = 500)
{
    public void Write(string path, string runId, IReadOnlyList<StepMetrics> steps, double? baselineAccuracy, double? finalAccuracy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(steps);

        using var plot = new Plot();
        plot.Title($"GRPO run {runId}");
        plot.XLabel("step");
        plot.Axes.Left.Label.Text = "mean reward";
        plot.Axes.Right.Label.Text = "held-out accuracy";

        var ordered = steps.OrderBy(step => step.Step).ToArray();
        if (ordered.Length > 0)
        {
            var reward = plot.Add.Scatter(
                ordered.Select(step => (double)step.Step).ToArray(),
                ordered.Select(step => (double)step.MeanReward).ToArray());
            reward.LegendText = "mean reward";
        }

        var accuracy = AccuracyPoints(ordered, baselineAccuracy, finalAccuracy);
        if (accuracy.Count > 0)
        {
            var held = plot.Add.Scatter(accuracy.Select(point => point.Step).ToArray(), accuracy.Select(point => point.Accuracy).ToArray());
            held.Axes.YAxis = plot.Axes.Right;
            held.MarkerSize = 8;
            held.LegendText = "held-out accuracy";
            plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        }

        plot.ShowLegend(Alignment.LowerRight);
        AtomicFile.Write(Path.GetFullPath(path), temporary => plot.SavePng(temporary, width, height));
    }

    /// <summary>Baseline at step 0, each evaluated step, then the final accuracy at the last step.</summary>
    public static IReadOnlyList<(double Step, double Accuracy)> AccuracyPoints(
        IReadOnlyList<StepMetrics> steps, double? baselineAccuracy, double? finalAccuracy)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var points = new List<(double Step, double Accuracy)>();
        if (baselineAccuracy is { } baseline)
        {
            points.Add((0, baseline));
        }

        points.AddRange(steps
            .Where(step => step.HeldOutAccuracy is not null)
            .OrderBy(step => step.Step)
            .Select(step => ((double)step.Step, step.HeldOutAccuracy!.Value)));

        if (finalAccuracy is { } final)
        {
            var lastStep = steps.Count > 0 ? steps.Max(step => step.Step) : 0;
            points.Add((lastStep, final));
        }

        return points;
    }
}
