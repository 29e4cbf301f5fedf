using System.Globalization;

namespace Grpo.Samples.HttpRewardServer;

/// <summary>
/// The reward this service computes: 1 when the completion's first number equals the reference answer, a small
/// partial credit when the completion at least starts with a number, 0 otherwise.
/// </summary>
public static class AnswerScorer
{
    public const double Correct = 1.0;
    public const double NumberButWrong = 0.1;

    public static double Score(ScoreItem item)
    {
        var text = item.Completion.Trim();
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || end == 0 && text[end] == '-')) end++;
        if (!long.TryParse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return 0.0;
        }

        return item.Answer is { } answer && long.TryParse(answer.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expected)
            && number == expected
            ? Correct
            : NumberButWrong;
    }
}
