using Grpo.Core.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Training;

/// <summary>
/// Turns task text into the token sequences a policy sees and back: prompts go through the chat template when there
/// is one and start with one BOS when the model uses it, supervised targets end with EOS, and a completion's text is
/// everything before its first stop token, with other special tokens left out, cut before its first stop string.
/// </summary>
public sealed class PromptCodec
{
    readonly Tokenizer tokenizer;
    readonly int? bosTokenId;
    readonly PromptFormat format;
    readonly HashSet<int> stopTokens;

    public PromptCodec(Tokenizer tokenizer, int eosTokenId, int? bosTokenId = null, PromptFormat? format = null)
    {
        this.tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        this.bosTokenId = bosTokenId;
        this.format = format ?? new PromptFormat();
        if (this.format.Template?.BeginOfTextToken is { } beginOfText && bosTokenId is { } bos && tokenizer.EncodeToIds(beginOfText) is var spelled
            && (spelled.Count != 1 || spelled[0] != bos))
            throw new ArgumentException(
                $"The chat template starts its text with {beginOfText}, which the tokenizer does not encode as the BOS token {bos}.", nameof(bosTokenId));
        EosTokenId = eosTokenId;
        StopTokenIds = [eosTokenId, .. this.format.ExtraStopTokenIds.Where(id => id != eosTokenId).Distinct()];
        stopTokens = [.. StopTokenIds];
    }

    public Tokenizer Tokenizer => tokenizer;

    /// <summary>The token that ends supervised targets; always the first of <see cref="StopTokenIds"/>.</summary>
    public int EosTokenId { get; }

    /// <summary>Every token id that ends a completion.</summary>
    public IReadOnlyList<int> StopTokenIds { get; }

    public IReadOnlyList<string> StopStrings => format.StopStrings;

    /// <summary>The text the tokenizer sees for a task prompt: the chat-templated conversation, or the prompt itself.</summary>
    public string PromptText(string prompt)
    {
        if (format.Template is not { } template) return prompt;
        List<ChatMessage> messages = format.SystemPrompt is { } system
            ? [new ChatMessage("system", system), new ChatMessage("user", prompt)]
            : [new ChatMessage("user", prompt)];
        return template.Apply(messages, addGenerationPrompt: true, enableThinking: format.EnableThinking || !template.SupportsThinking);
    }

    /// <summary>
    /// The prompt's token ids with exactly one BOS when the model uses one: a template that writes BOS itself (Llama 3)
    /// already has it at the start of its text, so none goes in front.
    /// </summary>
    public int[] EncodePrompt(string prompt)
    {
        var ids = tokenizer.EncodeToIds(PromptText(prompt));
        return bosTokenId is { } bos && format.Template?.BeginOfTextToken is null ? [bos, .. ids] : [.. ids];
    }

    public int[] EncodeTarget(string target) => [.. tokenizer.EncodeToIds(target), EosTokenId];

    /// <summary>
    /// Text of the tokens before the first stop token, special tokens left out; stop strings are not applied, so the
    /// generator can look for them in it.
    /// </summary>
    public string DecodeUntilStop(IReadOnlyList<int> tokens)
    {
        var end = 0;
        while (end < tokens.Count && !stopTokens.Contains(tokens[end])) end++;
        var kept = tokens.Take(end);
        return (tokenizer is ByteLevelBpeTokenizer bpe ? bpe.Decode(kept, skipSpecialTokens: true) : tokenizer.Decode(kept)) ?? "";
    }

    /// <summary>The completion's text as rewards see it: <see cref="DecodeUntilStop"/>, ended before the first stop string.</summary>
    public string DecodeCompletion(IReadOnlyList<int> tokens)
    {
        var text = DecodeUntilStop(tokens);
        foreach (var stop in format.StopStrings)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) text = text[..at];
        }
        return text;
    }
}
