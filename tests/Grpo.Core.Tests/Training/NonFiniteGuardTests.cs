using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using TorchSharp;
using static Grpo.Core.Tests.Training.LearnerSamples;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

/// <summary>A NaN or infinite loss or gradient stops the step before the optimizer touches weights or state.</summary>
public sealed class NonFiniteGuardTests
{
    static readonly int[] Prompts = [2, 3, 2];
    static readonly int[] Completions = [2, 3, 1];
    static readonly float[] Advantages = [1f, -1f, 0.5f];

    static GrpoLearner Learner(Grpo.Core.Model.CausalLM policy, ILossAggregation? aggregation = null) => new(policy, null, new LearnerOptions
    {
        Objective = new GrpoOptions { Beta = 0, Aggregation = aggregation ?? new GrpoAggregation() },
        MiniBatchSize = 2, MicroBatchSize = 1, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-3 },
    }, padTokenId: 0);

    [Fact]
    public void A_NaN_behaviour_log_prob_stops_the_step_at_its_loss_and_changes_nothing()
    {
        using var policy = TinyModel(41);
        using var learner = Learner(policy);
        learner.Train(Scored(policy, Prompts, Completions, Advantages));
        var weights = Weights(policy);
        var state = OptimizerState(learner.Optimizer);
        var poisoned = Scored(policy, Prompts, Completions, Advantages);
        poisoned[1].BehaviourLogProbs[0] = float.NaN;

        var error = Assert.Throws<NonFiniteTrainingException>(() => learner.Train(poisoned));

        // The second completion is the first minibatch's second micro-batch: update 1 of the step, the learner's 3rd.
        // The first micro-batch's gradient was already accumulated: it must not survive either.
        Assert.Equal("non-finite loss (NaN) of micro-batch 2 of 2 in optimizer update 1 of 2 of this learner step (update 3 of the learner); the update was not applied.", error.Message);
        Assert.Equal(2, learner.Optimizer.Step);
        Assert.Equal(weights, Weights(policy));
        Assert.Equal(state, OptimizerState(learner.Optimizer));
        Assert.All(Gradients(policy), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void A_poisoned_weight_stops_the_first_update_and_leaves_the_optimizer_state_untouched()
    {
        using var policy = TinyModel(42);
        using var learner = Learner(policy);
        var samples = Scored(policy, Prompts, Completions, Advantages);
        using (no_grad())
            policy.named_parameters().Single(p => p.name == "model.norm.weight").parameter[0] = float.PositiveInfinity;
        var weights = Weights(policy);

        var error = Assert.Throws<NonFiniteTrainingException>(() => learner.Train(samples));

        Assert.Contains("non-finite loss (NaN) of micro-batch 1 of 2 in optimizer update 1 of 2", error.Message);
        Assert.Contains("(update 1 of the learner)", error.Message);
        Assert.Equal(0, learner.Optimizer.Step);
        Assert.Equal(weights, Weights(policy));
        Assert.All(OptimizerState(learner.Optimizer).Where(kv => kv.Key != AdamW.StepKey).SelectMany(kv => kv.Value), m => Assert.Equal(0f, m));
    }

    [Fact]
    public void A_NaN_gradient_under_a_finite_loss_names_the_parameter()
    {
        using var policy = TinyModel(43);
        using var learner = Learner(policy, new NaNGradientAggregation());
        var weights = Weights(policy);

        var error = Assert.Throws<NonFiniteTrainingException>(() => learner.Train(Scored(policy, Prompts, Completions, Advantages)));

        Assert.Equal(
            $"non-finite gradient of parameter {policy.named_parameters().First().name} in optimizer update 1 of 2 of this learner step (update 1 of the learner); the update was not applied.",
            error.Message);
        Assert.Equal(0, learner.Optimizer.Step);
        Assert.Equal(weights, Weights(policy));
        Assert.All(Gradients(policy), g => Assert.Equal(0f, g));
    }

    /// <summary>A loss whose value is 0 but whose gradient is NaN: √|x − x| has an infinite slope at 0, times the 0 slope of |·|.</summary>
    sealed record NaNGradientAggregation : ILossAggregation
    {
        public Tensor Aggregate(LossAggregationInputs inputs)
        {
            var total = inputs.MaskedLoss.sum();
            return (total - total.detach()).abs().sqrt();
        }
    }
}
