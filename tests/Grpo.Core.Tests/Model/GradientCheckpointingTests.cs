using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class GradientCheckpointingTests
{
    const int Pad = 0;
    const double Tolerance = 1e-6;
    static readonly int[][] Prompts = [[5, 6, 7], [8], [9, 10]];
    static readonly int[][] Completions = [[11, 12], [13, 14, 15, 16], [17]];

    [Theory]
    [InlineData("qwen3", false, 0)]
    [InlineData("qwen2", false, 0)]
    [InlineData("llama", false, 0)]
    [InlineData("qwen2", true, 0)]
    [InlineData("qwen3", false, 3)]
    public void LossAndEveryParameterGradientEqualThePlainPath(string family, bool frozenEmbedding, int chunkTokens)
    {
        var (plainLoss, plainGrads) = LossAndGradients(family, checkpointing: false, frozenEmbedding, chunkTokens);
        var (checkpointedLoss, checkpointedGrads) = LossAndGradients(family, checkpointing: true, frozenEmbedding, chunkTokens);
        Assert.Equal(plainLoss, checkpointedLoss, Tolerance);
        Assert.Equal(plainGrads.Keys.Order(), checkpointedGrads.Keys.Order());
        foreach (var (name, plain) in plainGrads)
        {
            var checkpointed = checkpointedGrads[name];
            Assert.True(plain.Any(v => v != 0f), $"{name} got no gradient on the plain path");
            for (var i = 0; i < plain.Length; i++)
                Assert.True(Math.Abs(plain[i] - checkpointed[i]) <= Tolerance, $"{name}[{i}]: plain {plain[i]} vs checkpointed {checkpointed[i]}");
        }
    }

    [Fact]
    public void CheckpointedForwardKeepsNoLayerTensorsForBackward()
    {
        // Autograd refuses to back-propagate through a saved tensor that changed after forward. A layer weight changed
        // between forward and backward trips that check on the plain path, which saved it for its matmul's gradient; the
        // checkpointed forward saved nothing inside the layer, and backward recomputes from the weight as it now is.
        static Exception? BackwardAfterChangingALayerWeight(bool checkpointing)
        {
            using var scope = NewDisposeScope();
            using var model = TestModels.Create(TestModels.Qwen3() with { NumHiddenLayers = 3 });
            model.GradientCheckpointing = checkpointing;
            var logits = model.forward(TestModels.Ids([5, 6, 7, 8]));
            using (no_grad())
                model.named_parameters().Single(p => p.name == "model.layers.1.mlp.down_proj.weight").parameter.add_(0.01);
            return Record.Exception(() => logits.sum().backward());
        }
        Assert.NotNull(BackwardAfterChangingALayerWeight(checkpointing: false));
        Assert.Null(BackwardAfterChangingALayerWeight(checkpointing: true));
    }

    [Fact]
    public void CachedGenerationAndNoGradForwardAreUnaffectedByTheFlag()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        var prompt = TestModels.Ids([5, 6, 7], [1, 8, 9]);
        var mask = tensor(new long[] { 1, 1, 1, 0, 1, 1 }, [2, 3]);
        var next = TestModels.Ids([10], [11]);
        var nextMask = tensor(new long[] { 1, 1, 1, 1, 0, 1, 1, 1 }, [2, 4]);

        Tensor[] Run()
        {
            var cache = model.CreateCache(2, 8);
            var first = model.Forward(prompt, mask, cache);
            var second = model.Forward(next, nextMask, cache);
            using var noGrad = no_grad();
            return [first, second, model.Forward(prompt, mask)];
        }

        model.GradientCheckpointing = false;
        var plain = Run();
        model.GradientCheckpointing = true;
        var flagged = Run();
        for (var i = 0; i < plain.Length; i++) Assert.True(plain[i].equal(flagged[i]).all().item<bool>(), $"output {i} differs with the flag on");
    }

    [Fact]
    public void FlagDefaultsOffAndTravelsToTheDecoderStack()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        Assert.False(model.GradientCheckpointing);
        model.GradientCheckpointing = true;
        Assert.True(model.GradientCheckpointing);
    }

    static (double Loss, Dictionary<string, float[]> Grads) LossAndGradients(string family, bool checkpointing, bool frozenEmbedding, int chunkTokens)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(family) with { NumHiddenLayers = 3 });
        model.GradientCheckpointing = checkpointing;
        if (frozenEmbedding)
            model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter.requires_grad = false;
        var (logProbs, mask) = SequenceLogProbs.Completions(model, Prompts, Completions, 0.8f, Pad, chunkTokens);
        var weights = arange(1, logProbs.numel() + 1, ScalarType.Float32).reshape(logProbs.shape).cos();
        var loss = (logProbs * mask * weights).sum();
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
        return (loss.item<float>(), grads);
    }
}
