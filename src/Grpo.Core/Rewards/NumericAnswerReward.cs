using Grpo.Core.Registries;

namespace Grpo.Core.Rewards;

/// <summary>
/// 1 when the completion's final answer equals the reference numerically, else 0.
/// The completion's answer is the last <c>\boxed{}</c>, else the text after the last "####", else (when
/// <paramref name="fallbackToLastNumber"/>) the last number in the text. The reference may be a plain number or a
/// full GSM8K solution ending in "#### 72".
/// </summary>
/// <param name="tolerance">Absolute tolerance, scaled by the reference's magnitude when that exceeds 1.</param>
[GrpoComponent("numeric_answer", Description = "1 when the completion's final answer (\\boxed{}, \"#### N\" or its last number) equals the reference as a number, else 0.")]
public sealed class NumericAnswerReward(bool fallbackToLastNumber = true, double tolerance = 1e-6) : IRewardFunction
{
    public string Name => "numeric_answer";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Score(input.Completion, input.Answer));
    }

    public float Score(string completion, string? reference)
    {
        if (reference is null)
        {
            return 0f;
        }
        var expected = ReferenceValue(reference);
        var actual = CompletionValue(completion);
        if (expected is not { } e || actual is not { } a)
        {
            return 0f;
        }
        return Math.Abs(a - e) <= tolerance * Math.Max(1.0, Math.Abs(e)) ? 1f : 0f;
    }

    private double? CompletionValue(string completion)
    {
        if (AnswerExtractor.BoxedAnswer(completion) is { } boxed)
        {
            return AnswerExtractor.ParseNumber(boxed) ?? AnswerExtractor.ParseNumber(AnswerExtractor.LastNumber(boxed));
        }
        if (AnswerExtractor.Gsm8kAnswer(completion) is { } marked)
        {
            return AnswerExtractor.ParseNumber(marked) ?? AnswerExtractor.ParseNumber(AnswerExtractor.LastNumber(marked));
        }
        return fallbackToLastNumber ? AnswerExtractor.ParseNumber(AnswerExtractor.LastNumber(completion)) : null;
    }

    private static double? ReferenceValue(string reference) =>
        AnswerExtractor.Gsm8kAnswer(reference) is { } marked
            ? AnswerExtractor.ParseNumber(marked)
            : AnswerExtractor.ParseNumber(AnswerExtractor.BoxedAnswer(reference) ?? reference);
}
