namespace Grpo.Core.Generation;

/// <summary>A request occupying a slot of a <see cref="ContinuousBatcher"/>: its completion so far and the token it feeds next.</summary>
internal sealed class DecodingRow(DecodeRequest request, int maxNewTokens)
{
    readonly List<float> logProbs = [];

    public DecodeRequest Request { get; } = request;
    public int MaxNewTokens { get; } = maxNewTokens;
    public List<int> Tokens { get; } = [];

    /// <summary>The newest token: the next decode step feeds it in.</summary>
    public int NextToken => Tokens[^1];

    public void Add(int token, float logProb)
    {
        Tokens.Add(token);
        logProbs.Add(logProb);
    }

    public FinishedDecode Finish(FinishReason reason) => new(Request, new GeneratedSequence([.. Tokens], [.. logProbs], reason));
}
