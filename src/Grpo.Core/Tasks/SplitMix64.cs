namespace Grpo.Core.Tasks;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a fixed, documented generator so shuffles and batches stay identical across
/// .NET versions, unlike <see cref="Random"/> whose algorithm is an implementation detail.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) by rejection, so no value is favoured.</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong value;
        do
        {
            value = Next();
        }
        while (value >= limit);
        return (int)(value % (ulong)bound);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Combines values into one seed, so (seed, epoch) pairs give unrelated streams.</summary>
    public static ulong Mix(params ReadOnlySpan<long> values)
    {
        var generator = new SplitMix64(0x6A09E667F3BCC909UL);
        var hash = 0UL;
        foreach (var value in values)
        {
            generator._state ^= (ulong)value;
            hash = generator.Next();
        }
        return hash;
    }
}
