namespace Grpo.Core.Generation;

/// <summary>
/// The identity of one completion's random stream: the run's seed and where the completion sits in the run. Sampling
/// draws the uniform for token t from (key, t) alone, so a completion depends on the weights, the prompt and this key,
/// not on which other rows shared its batch, in which order requests arrived, or which silo served it; a retried or
/// resumed step samples the same completions again. <see cref="Attempt"/> separates a group regenerated because it was
/// too stale from its first sampling.
/// </summary>
public sealed record SampleKey(ulong RunSeed, long Step, int PromptIndex, int SampleIndex, int Attempt)
{
    /// <summary>The uniform in [0, 1) that chooses completion token <paramref name="position"/> (0 = the first new token).</summary>
    public double Uniform(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        // Rehashed per call rather than cached in a field: `with` copies fields, so a cached hash would outlive a changed key.
        var stream = StreamOf(RunSeed, Step, PromptIndex, SampleIndex, Attempt);
        return SplitMix64.ToUnitInterval(SplitMix64.Combine(stream, (ulong)position));
    }

    static ulong StreamOf(ulong runSeed, long step, int promptIndex, int sampleIndex, int attempt)
    {
        var state = SplitMix64.Mix(runSeed);
        state = SplitMix64.Combine(state, (ulong)step);
        state = SplitMix64.Combine(state, (ulong)(uint)promptIndex);
        state = SplitMix64.Combine(state, (ulong)(uint)sampleIndex);
        return SplitMix64.Combine(state, (ulong)(uint)attempt);
    }
}
