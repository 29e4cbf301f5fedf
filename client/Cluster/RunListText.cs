using System.Globalization;
using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Cluster;

/// <summary>The table <c>grpo list</c> prints: one line per run, columns padded to their widest value.</summary>
public static class RunListText
{
    public static IReadOnlyList<string> Lines(IReadOnlyList<RunStatus> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            return ["no runs"];
        }

        string[] header = ["ID", "STATE", "STEP", "VERSION", "CHECKPOINT", "STARTED"];
        var rows = runs.Select(run => new[]
        {
            run.RunId,
            run.State.ToString(),
            $"{run.Step}/{run.TotalSteps}",
            run.PolicyVersion.ToString(CultureInfo.InvariantCulture),
            run.CheckpointStep is { } step ? step.ToString(CultureInfo.InvariantCulture) : "-",
            run.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => rows.Append(header).Max(row => row[column].Length)).ToArray();
        return [.. new[] { header }.Concat(rows).Select(row => string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd())];
    }
}
