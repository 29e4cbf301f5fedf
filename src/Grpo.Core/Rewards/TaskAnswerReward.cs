using Grpo.Core.Registries;
using Grpo.Core.Tasks;

namespace Grpo.Core.Rewards;

/// <summary>The run's task's own answer check (<see cref="IPromptTask.AnswerReward"/>), under the name <c>answer</c>.</summary>
[GrpoComponent("answer", Description = "The task's own answer check: 1 for a right answer, 0 for a wrong one.")]
public sealed class TaskAnswerReward(IPromptTask task) : IRewardFunction
{
    readonly IRewardFunction check = (task ?? throw new ArgumentNullException(nameof(task))).AnswerReward;

    public string Name => "answer";

    /// <summary>The task's check this reward scores with.</summary>
    public IRewardFunction Check => check;

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => check.ScoreAsync(input, cancellationToken);
}
