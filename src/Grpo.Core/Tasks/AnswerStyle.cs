namespace Grpo.Core.Tasks;

/// <summary>What a dataset's reference answers must look like.</summary>
public enum AnswerStyle
{
    /// <summary>Any non-empty text (a number, a word, an expression).</summary>
    Any,

    /// <summary>GSM8K: a worked solution ending in "#### N" with N a number.</summary>
    Gsm8k,

    /// <summary>MATH: a solution holding its final answer in <c>\boxed{...}</c>, or the bare final answer.</summary>
    Boxed,
}
