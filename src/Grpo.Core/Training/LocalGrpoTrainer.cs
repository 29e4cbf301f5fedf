using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using TorchSharp;

namespace Grpo.Core.Training;

public sealed record LocalGrpoStep(long Step, float MeanReward, float FractionZeroStd, int Completions, LearnerStepResult Learner);

/// <summary>
/// One process, no cluster: sample G completions per prompt, score them, turn the step's rewards into advantages
/// with the given estimator and hand them to the learner. The cluster performs the same steps spread over grains; this is the
/// reference flow its tests and benchmarks compare against.
/// </summary>
public sealed class LocalGrpoTrainer(
    CausalLM policy, GrpoLearner learner, PromptCodec codec, IRewardFunction reward,
    int groupSize, SamplingOptions sampling, IAdvantageEstimator advantageEstimator, ulong seed, int padTokenId)
{
    readonly Generation.Generator generator = new(policy, padTokenId, codec.DecodeUntilStop);
    readonly torch.Generator random = new(seed);

    public async Task<LocalGrpoStep> StepAsync(long step, IReadOnlyList<TaskExample> prompts, CancellationToken cancellationToken = default)
    {
        var encoded = prompts.Select(p => codec.EncodePrompt(p.Prompt)).ToArray();
        var repeated = encoded.SelectMany(p => Enumerable.Repeat(p, groupSize)).ToArray();
        var generated = generator.Generate(repeated, sampling, random);

        var rewards = new float[repeated.Length];
        for (var i = 0; i < repeated.Length; i++)
        {
            var example = prompts[i / groupSize];
            var text = codec.DecodeCompletion(generated[i].Tokens);
            rewards[i] = await reward.ScoreAsync(new RewardInput(example.Prompt, text, example.Answer), cancellationToken);
        }
        var advantages = advantageEstimator.Compute(rewards, groupSize);
        var samples = generated.Select((g, i) => new CompletionSample(
            repeated[i], g.Tokens, g.LogProbs, advantages.Advantages[i], g.FinishReason == FinishReason.Length, step)).ToArray();
        var result = learner.Train(samples);
        return new LocalGrpoStep(step, rewards.Average(), advantages.FractionZeroStd, samples.Length, result);
    }
}
