using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Rewards;

/// <summary>
/// How long a completion may be, offered to reward components through <see cref="Registries.ComponentServices"/>:
/// the run's max_completion_tokens and the tokenizer that counts them.
/// </summary>
public sealed record CompletionBudget(int MaxTokens, Tokenizer Tokenizer)
{
    public int MaxTokens { get; } = MaxTokens > 0
        ? MaxTokens
        : throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "max_completion_tokens must be at least 1.");

    public Tokenizer Tokenizer { get; } = Tokenizer ?? throw new ArgumentNullException(nameof(Tokenizer));
}
