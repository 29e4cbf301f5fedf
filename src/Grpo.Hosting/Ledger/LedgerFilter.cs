namespace Grpo.Hosting.Ledger;

/// <summary>Which of a run's ledger rows to read: one step or all, a reward floor, at most <see cref="Limit"/> rows.</summary>
public sealed record LedgerFilter(string RunId, long? Step = null, float? MinReward = null, int Limit = 100);
