using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.Core.Training;

public sealed record EvaluationResult(int Correct, int Total, double MeanReward)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>
/// Greedy (pass@1) evaluation: a completion is correct when the reward function gives it full marks (≥ 1).
/// Generation (torch work, on the caller's thread) and scoring (possibly asynchronous) are separate steps so an
/// engine can run the first on its torch thread and the second anywhere.
/// </summary>
public static class PolicyEvaluator
{
    public static async Task<EvaluationResult> EvaluateAsync(
        CausalLM model, PromptCodec codec, IRewardFunction reward, IReadOnlyList<TaskExample> examples,
        int maxNewTokens, int batchSize, int padTokenId, CancellationToken cancellationToken = default) =>
        await ScoreAsync(reward, examples, GenerateGreedy(model, codec, examples, maxNewTokens, batchSize, padTokenId), cancellationToken);

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

    public static async Task<EvaluationResult> ScoreAsync(
        IRewardFunction reward, IReadOnlyList<TaskExample> examples, IReadOnlyList<string> completions, CancellationToken cancellationToken = default)
    {
        if (completions.Count != examples.Count)
            throw new ArgumentException($"{completions.Count} completions for {examples.Count} examples.");
        var correct = 0;
        var rewardSum = 0.0;
        for (var i = 0; i < examples.Count; i++)
        {
            var score = await reward.ScoreAsync(new RewardInput(examples[i].Prompt, completions[i], examples[i].Answer), cancellationToken);
            rewardSum += score;
            if (score >= 1) correct++;
        }
        return new EvaluationResult(correct, examples.Count, examples.Count == 0 ? 0 : rewardSum / examples.Count);
    }
}
