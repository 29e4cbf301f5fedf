using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Training;

/// <summary>
/// Turns task text into the token sequences a policy sees and back: prompts optionally start with BOS, supervised
/// targets end with EOS, and a completion's text is everything before its first EOS.
/// </summary>
public sealed class PromptCodec(Tokenizer tokenizer, int eosTokenId, int? bosTokenId = null)
{
    public Tokenizer Tokenizer => tokenizer;
    public int EosTokenId => eosTokenId;

    public int[] EncodePrompt(string prompt)
    {
        var ids = tokenizer.EncodeToIds(prompt);
        return bosTokenId is { } bos ? [bos, .. ids] : [.. ids];
    }

    public int[] EncodeTarget(string target) => [.. tokenizer.EncodeToIds(target), eosTokenId];

    public string DecodeCompletion(IReadOnlyList<int> tokens)
    {
        var end = 0;
        while (end < tokens.Count && tokens[end] != eosTokenId) end++;
        return tokenizer.Decode(tokens.Take(end)) ?? "";
    }
}
