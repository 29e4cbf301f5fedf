using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// One prompt of one step (key: run/step/prompt). Spawns G completion grains, turns their rewards into
/// group-relative advantages and hands the group to the learner.
/// </summary>
[Alias("grpo.IPromptGrain")]
public interface IPromptGrain : IGrainWithStringKey
{
    [Alias("Run")] Task<GroupOutcome> RunAsync(PromptAssignment assignment);
}
