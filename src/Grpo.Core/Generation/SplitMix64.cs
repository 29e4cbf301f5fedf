namespace Grpo.Core.Generation;

/// <summary>
/// SplitMix64's finaliser: a bijective 64-bit mixer whose outputs for nearby inputs are unrelated, so seeds, counters
/// and keys can be combined by xor-and-mix without correlated streams.
/// </summary>
public static class SplitMix64
{
    /// <summary>The golden-ratio increment SplitMix64 steps its state by; added before mixing so 0 does not map to 0.</summary>
    const ulong Increment = 0x9E3779B97F4A7C15UL;

    public static ulong Mix(ulong value)
    {
        var z = value + Increment;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Mixes <paramref name="value"/> into <paramref name="state"/>: the result depends on every input mixed so far and their order.</summary>
    public static ulong Combine(ulong state, ulong value) => Mix(state ^ Mix(value));

    /// <summary>A double in [0, 1) from the top 53 bits, the most a double's mantissa holds.</summary>
    public static double ToUnitInterval(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
