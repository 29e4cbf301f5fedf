using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;

namespace Grpo.Core.Training;

public sealed record EvaluationResult(int Correct, int Total, double MeanReward)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>Greedy (pass@1) evaluation: a completion is correct when the reward function gives it full marks (≥ 1).</summary>
public static class PolicyEvaluator
{
    public static async Task<EvaluationResult> EvaluateAsync(
        CausalLM model, PromptCodec codec, IRewardFunction reward, IReadOnlyList<TaskExample> examples,
        int maxNewTokens, int batchSize, int padTokenId, CancellationToken cancellationToken = default)
    {
        var generator = new Generator(model, padTokenId, codec.DecodeCompletion);
        var sampling = new SamplingOptions { Temperature = 0f, MaxNewTokens = maxNewTokens, EosTokenIds = [codec.EosTokenId] };
        var correct = 0;
        var rewardSum = 0.0;
        foreach (var chunk in examples.Chunk(batchSize))
        {
            var generated = generator.Generate(chunk.Select(e => codec.EncodePrompt(e.Prompt)).ToArray(), sampling);
            for (var i = 0; i < chunk.Length; i++)
            {
                var text = codec.DecodeCompletion(generated[i].Tokens);
                var score = await reward.ScoreAsync(new RewardInput(chunk[i].Prompt, text, chunk[i].Answer), cancellationToken);
                rewardSum += score;
                if (score >= 1) correct++;
            }
        }
        return new EvaluationResult(correct, examples.Count, examples.Count == 0 ? 0 : rewardSum / examples.Count);
    }
}
