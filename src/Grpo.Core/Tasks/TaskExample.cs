using System.Collections.ObjectModel;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// One prompt, its reference answer and whatever else its dataset record carried (<see cref="Metadata"/>: the
/// other fields of a JSONL line or the other columns of a CSV row), which rewards see through <see cref="RewardInput"/>.
/// </summary>
public sealed record TaskExample(string Prompt, string Answer)
{
    /// <summary>The record's other fields by name, as text; empty for generated tasks.</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get;
        init => field = value ?? ReadOnlyDictionary<string, string>.Empty;
    } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>What a reward function sees when it scores <paramref name="completion"/> of this example.</summary>
    public RewardInput RewardInputFor(string completion) => new(Prompt, completion, Answer, Metadata);

    // Equality compares the metadata by content: two loads of the same file give equal examples.
    public bool Equals(TaskExample? other) =>
        other is not null
        && string.Equals(Prompt, other.Prompt, StringComparison.Ordinal)
        && string.Equals(Answer, other.Answer, StringComparison.Ordinal)
        && Metadata.Count == other.Metadata.Count
        && Metadata.All(pair => other.Metadata.TryGetValue(pair.Key, out var value) && string.Equals(pair.Value, value, StringComparison.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Prompt, Answer, Metadata.Count);
}
