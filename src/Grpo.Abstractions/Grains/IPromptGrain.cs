using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// One prompt of one step (key: run/step/prompt). Spawns G completion grains, turns their rewards into
/// group-relative advantages and hands the group to the learner.
/// </summary>
[Alias("grpo.IPromptGrain")]
public interface IPromptGrain : IGrainWithStringKey
{
    /// <summary>Lasts as long as its group takes to generate, which may exceed Orleans' default response timeout.</summary>
    [ResponseTimeout("02:00:00"), Alias("Run")] Task<GroupOutcome> RunAsync(PromptAssignment assignment);
}
