using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Training;
using TorchSharp;
using Xunit.Abstractions;
using static Grpo.Core.Tests.Training.LearnerSamples;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

/// <summary>bfloat16 forward and backward on a working copy, float32 masters and AdamW state (tiny preset).</summary>
public sealed class LowPrecisionLearnerTests(ITestOutputHelper output)
{
    static readonly int[] Prompts = [3, 2, 4, 3];
    static readonly int[] Completions = [4, 3, 2, 5];
    static readonly float[] Advantages = [1f, -1f, 0.5f, -0.5f];

    static GrpoLearner Learner(CausalLM policy, ScalarType dtype) => new(policy, null, new LearnerOptions
    {
        Objective = new GrpoOptions { Beta = 0 }, ComputeDtype = dtype, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
    }, padTokenId: 0);

    static float Drift(LearnerStepResult result) => Math.Max(MathF.Abs(result.RatioMin - 1f), MathF.Abs(result.RatioMax - 1f));

    [Fact]
    public void Float32_compute_is_exactly_on_policy()
    {
        using var policy = TinyModel(61);
        using var learner = Learner(policy, ScalarType.Float32);

        var result = learner.Train(Scored(policy, Prompts, Completions, Advantages));

        Assert.Equal(0f, Drift(result));
    }

    [Theory]
    [InlineData(61)]
    [InlineData(63)]
    [InlineData(64)]
    public void Bfloat16_compute_keeps_float32_masters_drifts_little_and_still_lowers_the_loss(int seed)
    {
        using var policy = TinyModel(seed);
        using var learner = Learner(policy, ScalarType.BFloat16);
        var samples = Scored(policy, Prompts, Completions, Advantages);

        // Training again on the same completions, scored once: the surrogate loss must fall as the ratios follow the advantages.
        var results = Enumerable.Range(0, 5).Select(_ => learner.Train(samples)).ToArray();
        var after = Scored(policy, Prompts, Completions, Advantages);

        var drift = Drift(results[0]);
        output.WriteLine($"bf16 on-policy max |ratio - 1| = {drift:G4}; losses {string.Join(", ", results.Select(r => r.Loss.ToString("G4")))}");
        Assert.True(drift > 0f, "bfloat16 log-probs are expected to differ from float32 ones");
        Assert.True(drift < 0.05f, $"bfloat16 ratio drift {drift} is far larger than expected");
        Assert.True(results[^1].Loss < results[0].Loss - 0.01f, $"loss went from {results[0].Loss} to {results[^1].Loss}");
        Assert.True(after[0].BehaviourLogProbs.Sum() > samples[0].BehaviourLogProbs.Sum(), "positive advantage must become likelier");
        Assert.True(after[1].BehaviourLogProbs.Sum() < samples[1].BehaviourLogProbs.Sum(), "negative advantage must become less likely");
        Assert.All(policy.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var state = learner.Optimizer.StateTensors();
        try
        {
            Assert.All(state.Where(kv => kv.Key != AdamW.StepKey), kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    [Fact]
    public void Weights_loaded_into_the_policy_after_construction_are_the_ones_trained()
    {
        using var policy = TinyModel(65);
        using var learner = Learner(policy, ScalarType.BFloat16);
        using var loaded = TinyModel(66);
        using (no_grad())
        {
            var source = loaded.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in policy.named_parameters()) parameter.copy_(source[name]);
        }

        var result = learner.Train(Scored(policy, Prompts, Completions, Advantages));

        Assert.True(Drift(result) < 0.05f, $"ratio drift {Drift(result)}: the working copy still holds the weights from before the load");
    }

    [Fact]
    public void The_working_copy_follows_the_masters_after_each_update()
    {
        using var policy = TinyModel(62);
        using var copy = new LowPrecisionPolicy(policy, ScalarType.BFloat16);
        using (no_grad())
            foreach (var parameter in policy.parameters()) parameter.add_(0.5);

        copy.Refresh();

        var masters = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(copy.Model.named_parameters(), p =>
        {
            Assert.Equal(ScalarType.BFloat16, p.parameter.dtype);
            using var rounded = masters[p.name].detach().to_type(ScalarType.BFloat16);
            using var same = p.parameter.detach().eq(rounded).all();
            Assert.True(same.item<bool>(), $"{p.name} does not hold its master rounded to bfloat16");
        });
    }
}
