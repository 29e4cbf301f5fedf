namespace Grpo.Core.Rewards.Http;

/// <summary>
/// A reward service gave no usable scores: it could not be reached, timed out, answered with an error status, or
/// answered with something that is not one finite score per item. The completions of that request fail with it
/// rather than scoring 0, so a broken service stops a run instead of silently training it on zeros.
/// </summary>
public sealed class RewardServiceException(Uri url, string problem, Exception? inner = null)
    : Exception($"reward service {url}: {problem}", inner)
{
    public Uri Url { get; } = url;

    /// <summary>What went wrong, without the URL.</summary>
    public string Problem { get; } = problem;
}
