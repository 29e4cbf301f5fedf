namespace Grpo.Core.Generation;

/// <summary>A request occupying a slot of a <see cref="ContinuousBatcher"/>: its completion so far and the token it feeds next.</summary>
internal sealed class DecodingRow(DecodeRequest request, int maxNewTokens)
{
    readonly List<float> logProbs = [];
    readonly List<TokenVersionSpan> versions = [];

    public DecodeRequest Request { get; } = request;
    public int MaxNewTokens { get; } = maxNewTokens;
    public List<int> Tokens { get; } = [];

    /// <summary>The newest token: the next decode step feeds it in.</summary>
    public int NextToken => Tokens[^1];

    /// <summary>Appends a token sampled with the weights of policy <paramref name="version"/>.</summary>
    public void Add(int token, float logProb, long version)
    {
        Tokens.Add(token);
        logProbs.Add(logProb);
        if (versions.Count > 0 && versions[^1].Version == version)
            versions[^1] = versions[^1] with { Tokens = versions[^1].Tokens + 1 };
        else
            versions.Add(new TokenVersionSpan(version, 1));
    }

    public FinishedDecode Finish(FinishReason reason) =>
        new(Request, new GeneratedSequence([.. Tokens], [.. logProbs], reason) { Versions = [.. versions] });
}
