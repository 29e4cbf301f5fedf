using System.Globalization;
using Grpo.Abstractions.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Grpo.Client.Progress;

/// <summary>For an interactive terminal: one table redrawn in place on every poll.</summary>
public sealed class LiveProgressView(IAnsiConsole console) : IProgressView
{
    private const int BarWidth = 30;

    /// <summary>The prompt line and the first completions of the newest sample; all of them are in samples.jsonl.</summary>
    private const int MaxSampleLines = 5;

    public Task<T> ShowAsync<T>(Func<IProgressSink, Task<T>> watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        var waiting = new RunProgress(new RunStatus { Phase = "starting" }, null, null, TimeSpan.Zero);
        return new LiveDisplay(console, Render(waiting)).StartAsync(context => watch(new Sink(context)));
    }

    /// <summary>The table for one moment of the run.</summary>
    public static IRenderable Render(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var status = progress.Status;
        var step = progress.Latest;
        var table = new Table().Border(TableBorder.Rounded).HideHeaders();
        table.AddColumn("what");
        table.AddColumn("value");
        table.Title($"GRPO run {Markup.Escape(status.RunId)}");
        table.AddRow("phase", Markup.Escape($"{status.State}{(string.IsNullOrWhiteSpace(status.Phase) ? "" : " · " + status.Phase)}"));
        if (progress.Activity is { } activity)
        {
            table.AddRow("learner", activity.Total > 0
                ? $"{Bar(activity.Done, activity.Total)} {Markup.Escape(activity.Action)} {activity.Done}/{activity.Total}"
                : Markup.Escape(activity.Action + " …"));
        }

        table.AddRow("step", $"{Bar(status.Step, status.TotalSteps)} {status.Step}/{status.TotalSteps}");
        table.AddRow("mean reward", step is null ? "-" : Number(step.MeanReward, "0.000"));
        table.AddRow("held-out accuracy", ProgressText.Accuracy(progress.LatestAccuracy)
            + (status.BaselineAccuracy is { } baseline ? $" (baseline {ProgressText.Accuracy(baseline)})" : ""));
        table.AddRow("KL", step is null ? "-" : Number(step.MeanKl, "0.0000"));
        table.AddRow("clip fraction", step is null ? "-" : Number(step.ClipFraction, "0.000"));
        table.AddRow("padding fraction", step is null ? "-" : Number(step.PaddingFraction, "0.000"));
        table.AddRow("tokens/s", step is null ? "-" : Number(step.TokensPerSecond, "0"));
        table.AddRow("policy version", status.PolicyVersion.ToString(CultureInfo.InvariantCulture));
        table.AddRow("elapsed", ProgressText.Elapsed(progress.Elapsed));
        if (progress.LatestSample is { } sample)
        {
            table.AddRow("sample", Markup.Escape(string.Join("\n", ProgressText.SampleLines(sample).Take(MaxSampleLines))));
        }

        return table;
    }

    private static string Bar(long done, long total)
    {
        var filled = total <= 0 ? 0 : (int)Math.Clamp(done * BarWidth / total, 0, BarWidth);
        return $"[green]{new string('━', filled)}[/][grey]{new string('━', BarWidth - filled)}[/]";
    }

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private sealed class Sink(LiveDisplayContext context) : IProgressSink
    {
        public void Report(RunProgress progress, IReadOnlyList<StepMetrics> newSteps)
        {
            context.UpdateTarget(Render(progress));
            context.Refresh();
        }
    }
}
