using System.Globalization;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.TestPlugin;

/// <summary>"Double it": prompts "d17=" with answer "34", for numbers up to <c>max</c>; correct is the exact answer.</summary>
[GrpoComponent("test_doubling", Description = "Double a number (a test plugin's task).")]
public sealed class DoublingTask(ComponentArguments arguments, TaskSettings settings) : PromptTask(
    TaskSplit.Shuffled(Examples(arguments.GetInt("max", 49)), settings, "test_doubling"), new CountedExactMatch(), @"\A\s*\d+\s*\z")
{
    static TaskExample[] Examples(int max)
    {
        PluginUse.Count("test_doubling");
        return [.. Enumerable.Range(0, max + 1).Select(n => new TaskExample(
            string.Create(CultureInfo.InvariantCulture, $"d{n}="), (2 * n).ToString(CultureInfo.InvariantCulture)))];
    }

    sealed class CountedExactMatch : IRewardFunction
    {
        readonly ExactMatchReward exact = new();

        public string Name => "test_doubling_answer";

        public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) =>
            exact.ScoreAsync(input, cancellationToken);
    }
}
