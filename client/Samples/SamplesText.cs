using System.Globalization;
using Grpo.Hosting.Ledger;

namespace Grpo.Client.Samples;

/// <summary>The table <c>grpo samples</c> prints: one line per completion, columns padded to their widest value.</summary>
public static class SamplesText
{
    /// <summary>Longest prompt-and-completion shown in the table; --json prints them whole.</summary>
    public const int MaxTextLength = 80;

    public static IReadOnlyList<string> Lines(IReadOnlyList<LedgerSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        string[] header = ["STEP", "PROMPT", "SAMPLE", "VERSION", "REWARD", "ADVANTAGE", "TOKENS", "FINISH", "SILO", "TEXT"];
        var rows = samples.Select(sample => new[]
        {
            sample.Step.ToString(CultureInfo.InvariantCulture),
            sample.PromptIndex.ToString(CultureInfo.InvariantCulture),
            sample.SampleIndex.ToString(CultureInfo.InvariantCulture),
            sample.PolicyVersion.ToString(CultureInfo.InvariantCulture),
            sample.Reward.ToString("F3", CultureInfo.InvariantCulture),
            sample.Advantage.ToString("F3", CultureInfo.InvariantCulture),
            sample.TokenCount.ToString(CultureInfo.InvariantCulture),
            sample.FinishReason,
            sample.Silo,
            Shorten(OneLine(sample.Prompt) + " → " + OneLine(sample.Completion)),
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => rows.Append(header).Max(row => row[column].Length)).ToArray();
        return [.. new[] { header }.Concat(rows).Select(row => string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd())];
    }

    // A completion's line breaks and tabs would break the table's rows and columns.
    static string OneLine(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    static string Shorten(string text) => text.Length <= MaxTextLength ? text : text[..(MaxTextLength - 1)] + "…";
}
