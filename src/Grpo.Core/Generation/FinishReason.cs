namespace Grpo.Core.Generation;

/// <summary>Why a generated sequence ended.</summary>
public enum FinishReason
{
    /// <summary>An end-of-sequence token was sampled (it is the last token of the completion).</summary>
    Eos,

    /// <summary>The decoded completion came to contain a stop string (the completing token is the last token).</summary>
    StopString,

    /// <summary>MaxNewTokens were generated without EOS or stop string.</summary>
    Length,
}
