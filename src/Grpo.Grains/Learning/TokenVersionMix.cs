using Grpo.Abstractions.Contracts;

namespace Grpo.Grains.Learning;

/// <summary>
/// The learner's view of the per-token version tags completions carry (see <see cref="CompletionResult.TokenVersions"/>):
/// their check on arrival and the share of tokens partial rollouts sampled with an older version than the completion's newest.
/// </summary>
public static class TokenVersionMix
{
    /// <summary>
    /// Refuses a completion whose tags do not describe its tokens: counts that are not positive or do not add up to the
    /// tokens, versions that go backwards, or a first version other than the completion's own (its oldest).
    /// </summary>
    public static void Check(ScoredGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        for (var i = 0; i < group.Completions.Length; i++)
        {
            var completion = group.Completions[i];
            var spans = completion.TokenVersions;
            if (spans.Length == 0) continue;
            var where = $"group {group.GroupId}, completion {i} ({completion.Key}): token_versions";
            if (spans[0].Version != completion.PolicyVersion)
                throw new ArgumentException($"{where}[0].version is {spans[0].Version}, but the completion's policy version (its oldest token's) is {completion.PolicyVersion}.");
            for (var s = 0; s < spans.Length; s++)
            {
                if (spans[s].Tokens <= 0)
                    throw new ArgumentException($"{where}[{s}].tokens is {spans[s].Tokens}; every span holds at least one token.");
                if (s > 0 && spans[s].Version <= spans[s - 1].Version)
                    throw new ArgumentException($"{where}[{s}].version is {spans[s].Version}, not newer than the {spans[s - 1].Version} before it.");
            }
            var tagged = spans.Sum(span => (long)span.Tokens);
            if (tagged != completion.Tokens.Length)
                throw new ArgumentException($"{where} tag {tagged} tokens, but the completion has {completion.Tokens.Length}.");
        }
    }

    /// <summary>Tokens sampled by a version older than the newest of their own completion, over all tokens of <paramref name="groups"/>; 0 when there are none.</summary>
    public static float OlderVersionFraction(IEnumerable<ScoredGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        long older = 0, total = 0;
        foreach (var completion in groups.SelectMany(group => group.Completions))
        {
            total += completion.Tokens.Length;
            if (completion.TokenVersions.Length > 1) older += completion.Tokens.Length - completion.TokenVersions[^1].Tokens;
        }
        return total == 0 ? 0 : (float)((double)older / total);
    }
}
