namespace Grpo.Samples.HttpRewardServer;

/// <summary>One completion to score, as the http reward sends it.</summary>
public sealed record ScoreItem(string Prompt, string Completion, string? Answer, Dictionary<string, string>? Metadata);

/// <summary>The body of a POST: a batch of completions.</summary>
public sealed record ScoreRequest(IReadOnlyList<ScoreItem> Items);

/// <summary>The answer: one score per item, in the order of the request.</summary>
public sealed record ScoreResponse(IReadOnlyList<double> Scores);
