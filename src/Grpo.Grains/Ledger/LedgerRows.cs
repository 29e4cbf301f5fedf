using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Ledger;

/// <summary>Turns a trained step's groups and the advantages the learner trained them with into ledger rows.</summary>
public static class LedgerRows
{
    /// <param name="advantages">Per group, per completion, in the groups' order.</param>
    /// <param name="imageSha256">The SHA-256 of the image published as (lineage, version), or null when unknown.</param>
    public static LedgerStep Of(string runId, long step, IReadOnlyList<ScoredGroup> groups, IReadOnlyList<IReadOnlyList<float>> advantages,
        Func<LearnerLineage, long, string?> imageSha256)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(imageSha256);
        if (advantages.Count != groups.Count)
            throw new ArgumentException($"{groups.Count} groups but {advantages.Count} advantage lists.", nameof(advantages));
        var rows = new List<LedgerRow>(groups.Sum(g => g.Completions.Length));
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            if (advantages[g].Count != group.Completions.Length)
                throw new ArgumentException($"group {group.GroupId} has {group.Completions.Length} completions but {advantages[g].Count} advantages.", nameof(advantages));
            for (var i = 0; i < group.Completions.Length; i++)
            {
                var c = group.Completions[i];
                rows.Add(new LedgerRow(runId, step, group.PromptIndex, i, group.GroupId, c.PolicyVersion, c.Lineage.ToString(),
                    imageSha256(c.Lineage, c.PolicyVersion), c.Silo, c.Reward, c.RewardComponents, advantages[g][i], c.Tokens.Length,
                    c.FinishReason, group.Prompt, c.Text));
            }
        }

        return new LedgerStep(runId, step, rows);
    }
}
