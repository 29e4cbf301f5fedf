namespace Grpo.Core.Algorithm;

/// <summary>
/// Turns one step's rewards into one advantage per completion (veRL's <c>@register_adv_est</c> functions for
/// outcome rewards). Implementations are selected by name from <see cref="Registries.GrpoRegistries.AdvantageEstimators"/>.
/// </summary>
public interface IAdvantageEstimator
{
    /// <param name="rewards">The whole step's rewards, group after group: completions 0..groupSize−1 answer prompt 0, and so on.</param>
    /// <param name="groupSize">Completions per prompt (G).</param>
    /// <exception cref="ArgumentException">The rewards are empty, not finite, or not a whole number of groups.</exception>
    AdvantageResult Compute(float[] rewards, int groupSize);
}
