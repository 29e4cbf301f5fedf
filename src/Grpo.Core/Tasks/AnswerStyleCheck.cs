using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>Checks that a dataset's reference answers suit its <see cref="AnswerStyle"/> while the file is read.</summary>
public static class AnswerStyleCheck
{
    /// <summary>Null when the answer suits the style, else what is wrong with it (completing "field 'answer' ...").</summary>
    public static Func<string, string?> For(AnswerStyle style) => style switch
    {
        AnswerStyle.Gsm8k => answer => AnswerExtractor.Gsm8kAnswer(answer) switch
        {
            null => "has no final answer line \"#### N\" (GSM8K style)",
            var marked when AnswerExtractor.ParseNumber(marked) is null => $"has \"#### {marked}\", which is not a number",
            _ => null,
        },
        AnswerStyle.Boxed => answer => answer.Contains("\\boxed{", StringComparison.Ordinal) && AnswerExtractor.BoxedAnswer(answer) is null
            ? "has a \\boxed{ without its closing brace"
            : answer.Trim().Length == 0 ? "is empty" : null,
        _ => answer => answer.Trim().Length == 0 ? "is empty" : null,
    };
}
