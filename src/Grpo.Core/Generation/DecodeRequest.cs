namespace Grpo.Core.Generation;

/// <summary>
/// One completion for a <see cref="ContinuousBatcher"/> to decode. A class, not a record: the instance itself is the
/// caller's handle to its result, so two requests with equal fields stay two requests.
/// </summary>
/// <param name="maxNewTokens">this completion's own token limit (1 to the batcher's SamplingOptions.MaxNewTokens); null: the batcher's</param>
public sealed class DecodeRequest(int[] prompt, SampleKey key, int? maxNewTokens = null)
{
    public int[] Prompt { get; } = prompt;
    public SampleKey Key { get; } = key;
    public int? MaxNewTokens { get; } = maxNewTokens;
}
