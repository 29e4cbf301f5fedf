using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// The built-in "a+b=" problems of <see cref="ArithmeticTask"/> over operands 0..<c>max_operand</c> (default 99),
/// answered by the exact sum. Its held-out set is the first <see cref="TaskSettings.HeldOutSize"/> of the problems
/// the generator keeps out of training.
/// </summary>
[GrpoComponent("arithmetic", Description = "Generated \"a+b=\" problems over operands 0..max_operand (default 99); the answer is the exact sum.")]
public sealed class ArithmeticPromptTask(ComponentArguments arguments, TaskSettings settings)
    : PromptTask(Split(arguments, settings), new ExactMatchReward(), AnswerOnlyPattern)
{
    /// <summary>A completion that is a number and nothing else.</summary>
    public const string AnswerOnlyPattern = @"\A\s*-?\d+\s*\z";

    static TaskSplit Split(ComponentArguments arguments, TaskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var maxOperand = arguments.GetInt("max_operand", 99);
        if (maxOperand < 0) throw new ComponentException($"{arguments.Path}.max_operand", $"must be at least 0, got {maxOperand}");
        var problems = new ArithmeticTask(new ArithmeticTaskOptions { MaxOperand = maxOperand, Seed = settings.Seed });
        return new TaskSplit(problems.Train, problems.HeldOut.Take(settings.HeldOutSize).ToArray(), settings.Seed);
    }
}
