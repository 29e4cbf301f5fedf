using System.Globalization;
using System.Text.RegularExpressions;

namespace Grpo.Core.Rewards;

/// <summary>Finds the final numeric answer in model output or in a reference answer, and parses it leniently.</summary>
public static partial class AnswerExtractor
{
    [GeneratedRegex(@"####\s*([^\r\n]*)")]
    private static partial Regex Gsm8kMarker();

    [GeneratedRegex(@"-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+")]
    private static partial Regex NumberToken();

    [GeneratedRegex(@"^\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}$")]
    private static partial Regex LatexFraction();

    [GeneratedRegex(@"^(-?[\d.]+)\s*/\s*(-?[\d.]+)$")]
    private static partial Regex SlashFraction();

    /// <summary>Text after the last "####" (GSM8K), up to the end of that line; null when there is none.</summary>
    public static string? Gsm8kAnswer(string text)
    {
        var matches = Gsm8kMarker().Matches(text);
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value.Trim();
    }

    /// <summary>Content of the last <c>\boxed{...}</c>, honouring nested braces; null when absent or unbalanced.</summary>
    public static string? BoxedAnswer(string text)
    {
        const string marker = "\\boxed{";
        var start = text.LastIndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        var depth = 1;
        for (var i = start + marker.Length; i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return text[(start + marker.Length)..i].Trim();
            }
        }
        return null;
    }

    /// <summary>The last number-looking substring ("1,000", "-3.5", "$12"); null when there is none.</summary>
    public static string? LastNumber(string text)
    {
        var matches = NumberToken().Matches(text);
        return matches.Count == 0 ? null : matches[^1].Value;
    }

    /// <summary>
    /// Parses "72", "72.00", "$1,000", "-5", "\frac{1}{2}", "3/4", "50%" (as 50). Returns null when the text is not a single number.
    /// </summary>
    public static double? ParseNumber(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var cleaned = text.Trim()
            .Replace("\\$", "", StringComparison.Ordinal)
            .Replace("$", "", StringComparison.Ordinal)
            .Replace(",", "", StringComparison.Ordinal)
            .Replace("\\%", "", StringComparison.Ordinal)
            .Replace("%", "", StringComparison.Ordinal)
            .Replace("\\!", "", StringComparison.Ordinal)
            .Replace(" ", "", StringComparison.Ordinal)
            .TrimEnd('.');
        if (cleaned.StartsWith("\\text{", StringComparison.Ordinal) && cleaned.EndsWith('}'))
        {
            cleaned = cleaned["\\text{".Length..^1];
        }

        var negate = false;
        if (cleaned.StartsWith("-\\", StringComparison.Ordinal))
        {
            negate = true;
            cleaned = cleaned[1..];
        }
        if (LatexFraction().Match(cleaned) is { Success: true } latex)
        {
            return Divide(latex.Groups[1].Value, latex.Groups[2].Value) is { } value ? (negate ? -value : value) : null;
        }
        if (SlashFraction().Match(cleaned) is { Success: true } slash)
        {
            return Divide(slash.Groups[1].Value, slash.Groups[2].Value);
        }
        return double.TryParse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private static double? Divide(string numerator, string denominator)
    {
        var top = ParseNumber(numerator);
        var bottom = ParseNumber(denominator);
        return top is { } t && bottom is { } b && b != 0 ? t / b : null;
    }
}
