namespace Grpo.Core.Training;

/// <summary>
/// One scored completion as the learner consumes it: the tokens, the behaviour policy's log-probs of them
/// (π_old, recorded at generation time), the group-relative advantage and the version that generated it.
/// </summary>
public sealed record CompletionSample(
    int[] PromptTokens,
    int[] CompletionTokens,
    float[] BehaviourLogProbs,
    float Advantage,
    bool Truncated,
    long PolicyVersion)
{
    public void Validate(int index)
    {
        if (PromptTokens.Length == 0)
            throw new ArgumentException($"completion sample {index}: the prompt has no tokens.");
        if (BehaviourLogProbs.Length != CompletionTokens.Length)
            throw new ArgumentException(
                $"completion sample {index}: {CompletionTokens.Length} completion tokens but {BehaviourLogProbs.Length} behaviour log-probs.");
        if (!float.IsFinite(Advantage))
            throw new ArgumentException($"completion sample {index}: advantage {Advantage} is not finite.");
    }
}
