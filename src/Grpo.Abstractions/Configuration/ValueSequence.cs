namespace Grpo.Abstractions.Configuration;

/// <summary>
/// An immutable list with value equality, so that a record holding one (the stop strings, the rewards) is equal to
/// another holding equal items in the same order, whatever array instances they came from.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.ValueSequence`1")]
internal readonly struct ValueSequence<T>(IEnumerable<T>? items) : IEquatable<ValueSequence<T>>
{
    // A copy, because the caller still holds what it passed in and the record is declared immutable.
    [Id(0)] private readonly T[]? items = items is null ? null : [.. items];

    public T[] Items => items is null ? [] : [.. items];

    public IReadOnlyList<T> View => items ?? [];

    public bool Equals(ValueSequence<T> other) => View.SequenceEqual(other.View);

    public override bool Equals(object? obj) => obj is ValueSequence<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in View)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
