using Grpo.Core.Algorithm;
using Grpo.Core.Training;
using static Grpo.Core.Tests.Training.LearnerSamples;

namespace Grpo.Core.Tests.Training;

public sealed class TrainableParametersTests
{
    [Fact]
    public void The_optimizer_holds_only_trainable_parameters_under_their_names_and_frozen_ones_stay_put()
    {
        using var policy = TinyModel(51);
        var frozen = policy.named_parameters().Where(p => p.name.StartsWith("model.layers.0.", StringComparison.Ordinal)).ToArray();
        foreach (var (_, parameter) in frozen) parameter.requires_grad = false;
        var frozenBefore = frozen.Select(p => p.parameter.detach().flatten().data<float>().ToArray()).ToArray();
        using var learner = new GrpoLearner(policy, null, new LearnerOptions
        {
            Objective = new GrpoOptions { Beta = 0 }, LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
        }, padTokenId: 0);

        var trainableBefore = Weights(policy);
        learner.Train(Scored(policy, [2, 3], [3, 2], [1f, -1f]));

        Assert.NotEqual(trainableBefore, Weights(policy));
        var state = OptimizerState(learner.Optimizer);
        var trainableNames = policy.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        Assert.NotEmpty(frozen);
        Assert.Equal(trainableNames.Length, learner.Optimizer.Parameters.Count());
        Assert.All(trainableNames, name => Assert.True(state.ContainsKey(AdamW.FirstMomentPrefix + name), name));
        Assert.All(frozen, p => Assert.False(state.ContainsKey(AdamW.FirstMomentPrefix + p.name), p.name));
        for (var i = 0; i < frozen.Length; i++)
            Assert.Equal(frozenBefore[i], frozen[i].parameter.detach().flatten().data<float>().ToArray());
    }
}
