using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.Core.Training;

public sealed record EvaluationResult(int Correct, int Total, double MeanReward)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>One completion's training reward and whether it is correct (<see cref="Correctness"/>).</summary>
public sealed record CompletionVerdict(float Reward, bool Correct);

/// <summary>
/// Greedy (pass@1) evaluation, and the judgement of single completions that <c>grpo eval</c> uses: a completion is
/// correct when the task's answer check gives it full marks (<see cref="Correctness"/>), whatever else the training
/// reward adds. Generation (torch work, on the caller's thread) and scoring (possibly asynchronous) are separate
/// steps so an engine can run the first on its torch thread and the second anywhere.
/// </summary>
public static class PolicyEvaluator
{
    public static async Task<EvaluationResult> EvaluateAsync(
        CausalLM model, PromptCodec codec, IRewardFunction answerReward, IReadOnlyList<TaskExample> examples,
        int maxNewTokens, int batchSize, int padTokenId, CancellationToken cancellationToken = default) =>
        await ScoreAsync(answerReward, examples, GenerateGreedy(model, codec, examples, maxNewTokens, batchSize, padTokenId), cancellationToken);

    public static string[] GenerateGreedy(
        CausalLM model, PromptCodec codec, IReadOnlyList<TaskExample> examples, int maxNewTokens, int batchSize, int padTokenId)
    {
        var generator = new Generator(model, padTokenId, codec.DecodeUntilStop);
        var sampling = new SamplingOptions { Temperature = 0f, MaxNewTokens = maxNewTokens, EosTokenIds = codec.StopTokenIds };
        return examples.Chunk(batchSize)
            .SelectMany(chunk => generator.Generate(chunk.Select(e => codec.EncodePrompt(e.Prompt)).ToArray(), sampling))
            .Select(g => codec.DecodeCompletion(g.Tokens))
            .ToArray();
    }

    /// <summary>
    /// Accuracy and mean answer score of <paramref name="completions"/>, one per example, under the task's answer
    /// check <paramref name="answerReward"/> (<see cref="IPromptTask.AnswerReward"/>, not the weighted training reward).
    /// </summary>
    public static async Task<EvaluationResult> ScoreAsync(
        IRewardFunction answerReward, IReadOnlyList<TaskExample> examples, IReadOnlyList<string> completions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answerReward);
        if (completions.Count != examples.Count)
            throw new ArgumentException($"{completions.Count} completions for {examples.Count} examples.");
        var correct = 0;
        var rewardSum = 0.0;
        for (var i = 0; i < examples.Count; i++)
        {
            var verdict = await JudgeAsync(answerReward, answerReward, examples[i], completions[i], cancellationToken);
            rewardSum += verdict.Reward;
            if (verdict.Correct) correct++;
        }
        return new EvaluationResult(correct, examples.Count, examples.Count == 0 ? 0 : rewardSum / examples.Count);
    }

    /// <summary>
    /// The training reward of <paramref name="completion"/> and whether it is correct under the task's answer check;
    /// the answer check is not run twice when it is the training reward itself.
    /// </summary>
    public static async Task<CompletionVerdict> JudgeAsync(
        IRewardFunction reward, IRewardFunction answerReward, TaskExample example, string completion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(answerReward);
        ArgumentNullException.ThrowIfNull(example);
        var input = example.RewardInputFor(completion);
        var score = await reward.ScoreAsync(input, cancellationToken);
        var answerScore = ReferenceEquals(reward, answerReward) ? score : await answerReward.ScoreAsync(input, cancellationToken);
        return new CompletionVerdict(score, Correctness.IsCorrect(answerScore));
    }
}
