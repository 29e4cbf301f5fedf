using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// One prompt of one step (key: run/step/prompt). Spawns G completion grains and hands the group with its rewards
/// to the learner, which turns the rewards of the whole step into advantages.
/// </summary>
[Alias("grpo.IPromptGrain")]
public interface IPromptGrain : IGrainWithStringKey
{
    /// <summary>Lasts as long as its group takes to generate, which may exceed Orleans' default response timeout.</summary>
    [ResponseTimeout("02:00:00"), Alias("Run")] Task<GroupOutcome> RunAsync(PromptAssignment assignment);
}
