using System.Globalization;

namespace Grpo.Core.Algorithm;

/// <summary>Group-relative advantages <c>A_i = (r_i - mean_group(r)) / (std + eps)</c> (DESIGN.md, "The algorithm").</summary>
public static class GroupAdvantages
{
    /// <param name="rewards">Rewards laid out group after group: completions 0..groupSize-1 answer prompt 0, and so on.</param>
    /// <param name="groupSize">Completions per prompt (G).</param>
    /// <param name="mode">Which standard deviation divides the centred rewards.</param>
    /// <param name="eps">Added to the standard deviation so a tiny spread does not explode the advantages.</param>
    public static AdvantageResult Compute(float[] rewards, int groupSize, ScaleRewards mode, float eps = 1e-4f)
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
        if (!Enum.IsDefined(mode))
            throw new ArgumentException($"mode is not a known ScaleRewards value ({(int)mode}).", nameof(mode));
        if (!float.IsFinite(eps) || eps < 0f)
            throw new ArgumentException($"eps must be a finite number >= 0 (it is {eps.ToString("R", CultureInfo.InvariantCulture)}).", nameof(eps));
        for (var i = 0; i < rewards.Length; i++)
            if (!float.IsFinite(rewards[i]))
                throw new ArgumentException(
                    $"rewards[{i}] (group {i / groupSize}, completion {i % groupSize}) is {rewards[i].ToString(CultureInfo.InvariantCulture)}; rewards must be finite.",
                    nameof(rewards));

        var groups = rewards.Length / groupSize;
        var advantages = new float[rewards.Length];
        var zeroStdGroups = 0;
        var batchStd = mode == ScaleRewards.Batch ? UnbiasedStd(rewards) : 0.0;

        for (var g = 0; g < groups; g++)
        {
            var group = rewards.AsSpan(g * groupSize, groupSize);
            if (AllEqual(group))
            {
                // r_i - mean is exactly 0 here; computing it in floating point could leave a rounding residue that
                // eps-sized division would blow up into a spurious signal, so write the exact value instead.
                zeroStdGroups++;
                continue;
            }

            var mean = Mean(group);
            var scale = mode switch
            {
                ScaleRewards.Group => UnbiasedStd(group) + eps,
                ScaleRewards.Batch => batchStd + eps,
                _ => 1.0,
            };
            for (var i = 0; i < groupSize; i++)
                advantages[g * groupSize + i] = (float)((group[i] - mean) / scale);
        }

        return new AdvantageResult(advantages, zeroStdGroups, (float)zeroStdGroups / groups);
    }

    static bool AllEqual(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
            if (value != values[0])
                return false;
        return true;
    }

    static double Mean(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var value in values) sum += value;
        return sum / values.Length;
    }

    /// <summary>
    /// Bessel-corrected (n - 1) standard deviation, the default of torch.std that TRL calls, so advantages match
    /// TRL's for the same rewards. One value has no spread to estimate (n - 1 = 0): it is defined as 0 instead of NaN.
    /// </summary>
    static double UnbiasedStd(ReadOnlySpan<float> values)
    {
        if (values.Length < 2) return 0.0;
        var mean = Mean(values);
        var squares = 0.0;
        foreach (var value in values) squares += (value - mean) * (value - mean);
        return Math.Sqrt(squares / (values.Length - 1));
    }
}
