namespace Grpo.Core.Tasks;

/// <summary>One prompt and its reference answer.</summary>
public sealed record TaskExample(string Prompt, string Answer);
