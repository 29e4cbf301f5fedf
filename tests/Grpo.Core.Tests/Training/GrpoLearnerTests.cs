using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

public sealed class GrpoLearnerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_few_GRPO_steps_raise_the_mean_reward_of_a_warmed_up_tiny_model()
    {
        var setup = new ArithmeticSetup(maxOperand: 19, seed: 3);
        setup.WarmUp(steps: 150, learningRate: 3e-3);
        var reward = new ExactMatchReward();
        var sampling = new SamplingOptions { Temperature = 1f, MaxNewTokens = 4, EosTokenIds = [setup.Tokenizer.EosId] };
        var probe = setup.Task.Train.Take(64).ToArray();
        var before = await SampledReward(setup, probe, sampling, reward);

        using var reference = ReferencePolicy.FrozenCopy(setup.Policy);
        var options = new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0.04f },
            LearningRate = new LearningRateSchedule { PeakLearningRate = 3e-4 },
            MiniBatchSize = 128,
        };
        using var learner = new GrpoLearner(setup.Policy, reference, options, setup.PadId);
        var trainer = new LocalGrpoTrainer(setup.Policy, learner, setup.Codec, reward, groupSize: 8, sampling, new GrpoAdvantageEstimator(), seed: 5, setup.PadId);
        for (var step = 0; step < 30; step++)
        {
            var result = await trainer.StepAsync(step, setup.Task.Batch(step, 16));
            output.WriteLine($"step {step}: reward {result.MeanReward:F3} kl {result.Learner.MeanKl:F4} zero-std {result.FractionZeroStd:F2} ratio {result.Learner.RatioMin:F3}..{result.Learner.RatioMax:F3} loss {result.Learner.Loss:F4} gn {result.Learner.GradNorm:F3}");
        }

        var after = await SampledReward(setup, probe, sampling, reward);
        output.WriteLine($"sampled reward before {before:F3}, after {after:F3}");
        Assert.True(after > before + 0.05, $"mean reward went from {before:F3} to {after:F3}");
    }

    static async Task<double> SampledReward(ArithmeticSetup setup, TaskExample[] probe, SamplingOptions sampling, IRewardFunction reward)
    {
        var generator = new Grpo.Core.Generation.Generator(setup.Policy, setup.PadId);
        var prompts = probe.SelectMany(p => Enumerable.Repeat(setup.Codec.EncodePrompt(p.Prompt), 8)).ToArray();
        var generated = generator.Generate(prompts, sampling, new torch.Generator(99));
        var total = 0.0;
        for (var i = 0; i < generated.Count; i++)
        {
            var example = probe[i / 8];
            total += await reward.ScoreAsync(new RewardInput(example.Prompt, setup.Codec.DecodeCompletion(generated[i].Tokens), example.Answer));
        }
        return total / generated.Count;
    }
}
