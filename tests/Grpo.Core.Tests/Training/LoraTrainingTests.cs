using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using Grpo.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Training;

public sealed class LoraTrainingTests
{
    static readonly LoraOptions Lora = new() { Rank = 4, Alpha = 8 };

    static CausalLM TinyModel(int seed)
    {
        torch.manual_seed(seed);
        return new CausalLM(ModelPresets.Tiny(20));
    }

    static CausalLM TinyLoraModel(int seed)
    {
        var model = TinyModel(seed);
        model.ApplyLora(Lora);
        return model;
    }

    static CompletionSample[] Samples(CausalLM model, float[] advantages)
    {
        var prompts = advantages.Select((_, i) => new[] { 1, 3 + i, 4 }).ToArray();
        var completions = advantages.Select((_, i) => new[] { 5 + i % 3, 6, 2 }).ToArray();
        using var noGrad = no_grad();
        var (logProbs, _) = SequenceLogProbs.Completions(model, prompts, completions, 1f, 0);
        return advantages.Select((a, i) => new CompletionSample(prompts[i], completions[i], logProbs[i].data<float>().ToArray(), a, false, 0)).ToArray();
    }

    static Dictionary<string, float[]> Values(IEnumerable<(string Name, Tensor Value)> tensors) =>
        tensors.ToDictionary(t => t.Name, t => t.Value.detach().to_type(ScalarType.Float32).flatten().data<float>().ToArray());

    static Dictionary<string, float[]> BaseValues(CausalLM model) =>
        Values(model.state_dict().Where(p => !CausalLM.IsAdapterKey(p.Key)).Select(p => (p.Key, p.Value)));

    static Dictionary<string, float[]> AdapterValues(CausalLM model) =>
        Values(model.AdapterStateDict().Select(p => (p.Key, p.Value)));

    static LearnerOptions Options(float beta) => new()
    {
        Objective = new GrpoOptions { Beta = beta }, NumIterations = 2,
        LearningRate = new LearningRateSchedule { PeakLearningRate = 1e-2 },
    };

    [Fact]
    public void The_learner_with_adapters_off_as_reference_trains_exactly_as_with_a_frozen_copy_of_the_base()
    {
        using var withAdaptersOff = TinyLoraModel(3);
        using var withCopy = TinyLoraModel(3);
        using var frozenBase = TinyModel(3);
        foreach (var parameter in frozenBase.parameters()) parameter.requires_grad = false;
        // Give the adapters a head start so the policy differs from the base and the KL term has a gradient.
        using (no_grad())
            foreach (var model in new[] { withAdaptersOff, withCopy })
                foreach (var (name, value) in model.AdapterStateDict().Where(p => p.Key.Contains(".lora_B.", StringComparison.Ordinal)))
                    value.fill_(0.01);
        var samples = Samples(withCopy, [1f, -1f, 0.5f, -0.5f]);
        var baseBefore = BaseValues(withAdaptersOff);

        using var first = new GrpoLearner(withAdaptersOff, Options(beta: 0.5f), 0, new AdaptersOffReference(withAdaptersOff));
        using var second = new GrpoLearner(withCopy, Options(beta: 0.5f), 0, new FrozenModelReference(frozenBase));
        var firstResult = first.Train(samples);
        var secondResult = second.Train(samples);

        Assert.True(firstResult.MeanKl > 0);
        Assert.Equal(secondResult.MeanKl, firstResult.MeanKl);
        Assert.Equal(secondResult.Loss, firstResult.Loss);
        Assert.Equal(AdapterValues(withCopy), AdapterValues(withAdaptersOff));
        Assert.Equal(baseBefore, BaseValues(withAdaptersOff));
        // The optimizer holds the adapters and nothing else.
        Assert.Equal(withAdaptersOff.AdapterStateDict().Count, first.Optimizer.Parameters.Count());
    }

    [Fact]
    public void Supervised_warm_up_of_a_lora_model_moves_only_the_adapters()
    {
        using var model = TinyLoraModel(4);
        var baseBefore = BaseValues(model);
        var adaptersBefore = AdapterValues(model);
        using var trainer = new SupervisedTrainer(model, new LearningRateSchedule { PeakLearningRate = 1e-2 }, new AdamWOptions { WeightDecay = 0.1 }, 1.0, 0);

        for (var step = 0; step < 3; step++)
            trainer.Step([[1, 3, 4], [1, 5, 4]], [[6, 2], [7, 2]]);

        Assert.Equal(baseBefore, BaseValues(model));
        Assert.NotEqual(adaptersBefore, AdapterValues(model));
    }

    [Fact]
    public void Adapters_off_reference_refuses_a_model_without_adapters()
    {
        using var plain = TinyModel(5);
        var error = Assert.Throws<ArgumentException>(() => new AdaptersOffReference(plain));
        Assert.Contains("no LoRA adapters", error.Message);
    }
}
