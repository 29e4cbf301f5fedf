namespace Grpo.Core.Generation;

/// <summary>Decides when a completion ends: an EOS token, a stop string in its decoded text, or its own token limit.</summary>
internal sealed class CompletionStop(SamplingOptions options, Func<IReadOnlyList<int>, string>? decode)
{
    readonly HashSet<int> eos = [.. options.EosTokenIds];

    /// <summary>Why the completion ends after its newest token <paramref name="token"/>, or null when it goes on.</summary>
    public FinishReason? After(List<int> completion, int token, int maxNewTokens)
    {
        if (eos.Contains(token)) return FinishReason.Eos;
        if (options.StopStrings.Count > 0)
        {
            var text = decode!(completion);
            foreach (var stop in options.StopStrings)
                if (text.Contains(stop, StringComparison.Ordinal))
                    return FinishReason.StopString;
        }
        return completion.Count >= maxNewTokens ? FinishReason.Length : null;
    }
}
