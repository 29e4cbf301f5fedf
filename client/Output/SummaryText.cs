using System.Globalization;

namespace Grpo.Client.Output;

/// <summary>The few lines printed when a run ends.</summary>
public static class SummaryText
{
    public static IReadOnlyList<string> Lines(RunSummary summary, RunOutputWriter files, bool chartWritten, bool configWritten = true)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(files);
        var lines = new List<string>
        {
            $"run {summary.RunId}: {summary.State}",
            $"  baseline accuracy  {Accuracy(summary.BaselineAccuracy)}",
            $"  final accuracy     {Accuracy(summary.FinalAccuracy)}",
            $"  steps              {summary.Steps}/{summary.TotalSteps}",
            $"  policy version     {summary.PolicyVersion}",
            $"  wall time          {Progress.ProgressText.Elapsed(TimeSpan.FromSeconds(summary.WallSeconds))} ({summary.WallSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)",
            $"  metrics            {files.MetricsPath}",
            $"  summary            {files.SummaryPath}",
        };
        if (configWritten)
        {
            // grpo watch cannot ask a run for its configuration, so it writes no config.json.
            lines.Insert(6, $"  config             {files.ConfigPath}");
        }

        if (chartWritten)
        {
            lines.Add($"  chart              {files.ChartPath}");
        }

        if (File.Exists(files.SamplesPath))
        {
            lines.Add($"  samples            {files.SamplesPath}");
        }

        return lines;
    }

    private static string Accuracy(double? accuracy) => Progress.ProgressText.Accuracy(accuracy);
}
