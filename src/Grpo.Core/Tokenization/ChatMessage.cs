namespace Grpo.Core.Tokenization;

/// <summary>One conversation turn; <paramref name="Role"/> is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content);
