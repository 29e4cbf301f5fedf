using Grpo.Core.Registries;

namespace Grpo.Core.Rewards;

/// <summary>
/// 1 when the completion's final answer equals the reference, else 0, for answers that need not be numbers (MATH).
/// The completion's answer is its last <c>\boxed{}</c>, else the text after "####", else its last number; the
/// reference's is its "####" line, else its last <c>\boxed{}</c>, else the whole reference. Two answers that both
/// read as numbers are compared as numbers; otherwise their LaTeX is compared after removing spacing and sizing
/// commands (<c>\left</c>, <c>\!</c>, <c>\dfrac</c> as <c>\frac</c>, ...).
/// </summary>
[GrpoComponent("math_answer", Description = "1 when the completion's final answer equals the reference as a number or as normalised LaTeX, else 0.")]
public sealed class MathAnswerReward(double tolerance = 1e-6) : IRewardFunction
{
    public string Name => "math_answer";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Score(input.Completion, input.Answer));
    }

    public float Score(string completion, string? reference)
    {
        if (reference is null) return 0f;
        var expected = AnswerExtractor.Gsm8kAnswer(reference) ?? AnswerExtractor.BoxedAnswer(reference) ?? reference.Trim();
        var actual = AnswerExtractor.BoxedAnswer(completion) ?? AnswerExtractor.Gsm8kAnswer(completion) ?? AnswerExtractor.LastNumber(completion);
        if (actual is null) return 0f;
        if (AnswerExtractor.ParseNumber(expected) is { } e && AnswerExtractor.ParseNumber(actual) is { } a)
            return Math.Abs(a - e) <= tolerance * Math.Max(1.0, Math.Abs(e)) ? 1f : 0f;
        return Normalize(expected).Length > 0 && Normalize(expected) == Normalize(actual) ? 1f : 0f;
    }

    static readonly string[] Removed = ["\\left", "\\right", "\\!", "\\,", "\\;", "\\:", "\\ ", "$", " ", "\t", "\n"];

    public static string Normalize(string answer)
    {
        var text = answer.Trim();
        if (text.StartsWith("\\text{", StringComparison.Ordinal) && text.EndsWith('}')) text = text["\\text{".Length..^1];
        foreach (var piece in Removed) text = text.Replace(piece, "", StringComparison.Ordinal);
        return text.Replace("\\dfrac", "\\frac", StringComparison.Ordinal).Replace("\\tfrac", "\\frac", StringComparison.Ordinal).TrimEnd('.');
    }
}
