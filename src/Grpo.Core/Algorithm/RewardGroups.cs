using System.Globalization;

namespace Grpo.Core.Algorithm;

/// <summary>Checks and statistics shared by the advantage estimators, which all read rewards laid out group after group.</summary>
internal static class RewardGroups
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the argument unless the rewards are finite and a whole number of groups.</summary>
    public static void Validate(float[] rewards, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (groupSize < 1)
            throw new ArgumentException($"groupSize must be >= 1 (it is {groupSize}).", nameof(groupSize));
        if (rewards.Length == 0)
            throw new ArgumentException("rewards is empty: there is no group to compute advantages for.", nameof(rewards));
        if (rewards.Length % groupSize != 0)
            throw new ArgumentException(
                $"rewards has {rewards.Length} entries, which is not a multiple of groupSize {groupSize}; rewards must be laid out group after group.",
                nameof(rewards));
        for (var i = 0; i < rewards.Length; i++)
            if (!float.IsFinite(rewards[i]))
                throw new ArgumentException(
                    $"rewards[{i}] (group {i / groupSize}, completion {i % groupSize}) is {rewards[i].ToString(CultureInfo.InvariantCulture)}; rewards must be finite.",
                    nameof(rewards));
    }

    /// <summary>What one group's centred rewards are divided by.</summary>
    public delegate double GroupDivisor(ReadOnlySpan<float> group);

    /// <summary>
    /// <c>(r_i − mean(group)) / divisor(group)</c> for every completion. A group whose rewards are all equal gets exactly
    /// 0 and is counted: computing r − mean in floating point could leave a rounding residue that a small divisor would
    /// blow up into a spurious signal.
    /// </summary>
    public static AdvantageResult Centred(float[] rewards, int groupSize, GroupDivisor divisor)
    {
        var groups = rewards.Length / groupSize;
        var advantages = new float[rewards.Length];
        var zeroStdGroups = 0;
        for (var g = 0; g < groups; g++)
        {
            var group = rewards.AsSpan(g * groupSize, groupSize);
            if (AllEqual(group))
            {
                zeroStdGroups++;
                continue;
            }

            var mean = Mean(group);
            var divide = divisor(group);
            for (var i = 0; i < groupSize; i++)
                advantages[g * groupSize + i] = (float)((group[i] - mean) / divide);
        }

        return new AdvantageResult(advantages, zeroStdGroups, (float)zeroStdGroups / groups);
    }

    public static bool AllEqual(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
            if (value != values[0])
                return false;
        return true;
    }

    public static double Mean(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var value in values) sum += value;
        return sum / values.Length;
    }

    public static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var value in values) sum += value;
        return sum / values.Length;
    }

    /// <summary>
    /// Bessel-corrected (n − 1) standard deviation, the default of torch.std that TRL and veRL call, so advantages
    /// match theirs for the same rewards. One value has no spread to estimate (n − 1 = 0): it is defined as 0 instead of NaN.
    /// </summary>
    public static double UnbiasedStd(ReadOnlySpan<float> values)
    {
        if (values.Length < 2) return 0.0;
        var mean = Mean(values);
        var squares = 0.0;
        foreach (var value in values) squares += (value - mean) * (value - mean);
        return Math.Sqrt(squares / (values.Length - 1));
    }

    /// <summary>Bessel-corrected variance of <paramref name="values"/> about <paramref name="mean"/>; 0 for fewer than two values.</summary>
    public static double UnbiasedVariance(ReadOnlySpan<double> values, double mean)
    {
        if (values.Length < 2) return 0.0;
        var squares = 0.0;
        foreach (var value in values) squares += (value - mean) * (value - mean);
        return squares / (values.Length - 1);
    }
}
