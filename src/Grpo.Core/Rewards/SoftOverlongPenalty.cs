using Grpo.Core.Registries;

namespace Grpo.Core.Rewards;

/// <summary>
/// DAPO's soft overlong punishment (Yu et al. 2025): no penalty up to three quarters of the token budget, then a
/// penalty growing linearly to -1 at the budget, so a completion cut off by the limit scores lowest without a cliff.
/// </summary>
[GrpoComponent("length", Description = "DAPO's soft overlong penalty: 0 up to 3/4 of max_completion_tokens, falling linearly to -1 at the limit.")]
public sealed class SoftOverlongPenalty : IRewardFunction
{
    readonly LengthPenalty penalty;

    /// <param name="budget">The run's token budget and tokenizer; without it (a check before any run) only the parameters are judged.</param>
    public SoftOverlongPenalty(ComponentArguments arguments, CompletionBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (budget is null)
        {
            arguments.EnsureAllRead("reward 'length'");
            throw new MissingComponentServiceException(arguments.Path, "needs the run's completion budget, which this check does not offer");
        }

        penalty = new LengthPenalty(budget.MaxTokens * 3 / 4, Math.Max(1, budget.MaxTokens / 4), tokenizer: budget.Tokenizer);
    }

    public string Name => "length";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => penalty.ScoreAsync(input, cancellationToken);
}
