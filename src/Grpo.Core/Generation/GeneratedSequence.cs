namespace Grpo.Core.Generation;

/// <summary>
/// One completion: its tokens (without the prompt, including the EOS token or the token that completed a stop string)
/// and, per token, log_softmax(logits / T)[token] with T the sampling temperature (1 for greedy), taken BEFORE top-k /
/// top-p filtering, so they equal <c>SequenceLogProbs.Completions</c> at the same temperature (the behaviour-policy
/// log-probs GRPO's importance ratio needs).
/// </summary>
public sealed record GeneratedSequence(int[] Tokens, float[] LogProbs, FinishReason FinishReason)
{
    /// <summary>
    /// The policy version that sampled each token, run-length encoded in order (their counts add up to the tokens); empty
    /// when the generator does not track versions (<see cref="Generator"/>).
    /// </summary>
    public TokenVersionSpan[] Versions { get; init; } = [];
}
