using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class SequenceLogProbsTests
{
    const int Pad = 0;

    static float[] Reference(CausalLM model, int[] prompt, int[] completion, float temperature)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Concat(completion).Select(t => (long)t).ToArray(), [1, prompt.Length + completion.Length]);
        var logProbs = nn.functional.log_softmax(model.forward(ids) / temperature, -1);
        return completion.Select((token, i) => logProbs[0, prompt.Length - 1 + i, token].item<float>()).ToArray();
    }

    [Fact]
    public void MatchesPerRowUnpaddedComputationAndMasksPadding()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen2());
        int[][] prompts = [[5, 6, 7], [8], [9, 10]];
        int[][] completions = [[11, 12], [13, 14, 15, 16], [17]];
        var (logProbs, mask) = SequenceLogProbs.Completions(model, prompts, completions, 0.7f, Pad);
        Assert.Equal([3L, 4L], logProbs.shape);
        Assert.Equal(ScalarType.Float32, logProbs.dtype);
        Assert.Equal(new float[] { 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0 }, mask.data<float>().ToArray());
        for (var r = 0; r < prompts.Length; r++)
        {
            var expected = Reference(model, prompts[r], completions[r], 0.7f);
            for (var i = 0; i < 4; i++)
            {
                var actual = logProbs[r, i].item<float>();
                if (i < expected.Length) Assert.Equal(expected[i], actual, tolerance: 1e-4f);
                else Assert.Equal(0f, actual);
            }
        }
    }

    [Fact]
    public void NonPositiveTemperatureMeansOne()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        int[][] prompts = [[5, 6]];
        int[][] completions = [[7, 8, 9]];
        var (zeroT, _) = SequenceLogProbs.Completions(model, prompts, completions, 0f, Pad);
        var (oneT, _) = SequenceLogProbs.Completions(model, prompts, completions, 1f, Pad);
        var (hotT, _) = SequenceLogProbs.Completions(model, prompts, completions, 2f, Pad);
        Assert.True(allclose(zeroT, oneT));
        Assert.False(allclose(zeroT, hotT, 1e-3, 1e-3));
        var expected = Reference(model, [5, 6], [7, 8, 9], 1f);
        var actual = oneT[0].detach().data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance: 1e-4f);
    }

    [Fact]
    public void GradientFlowsToParametersOnlyThroughRealTokens()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        var (logProbs, mask) = SequenceLogProbs.Completions(model, [[5, 6], [7]], [[8, 9, 10], [11]], 1f, Pad);
        Assert.True(logProbs.requires_grad);
        (logProbs * mask).sum().backward();
        var embeddingGrad = model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter.grad;
        Assert.NotNull(embeddingGrad);
        Assert.True(embeddingGrad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void RejectsBadInput()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        Assert.Contains("completions", Assert.Throws<ArgumentException>(() => SequenceLogProbs.Completions(model, [[1]], [], 1f, Pad)).Message, StringComparison.Ordinal);
        Assert.Contains("prompts[1]", Assert.Throws<ArgumentException>(() => SequenceLogProbs.Completions(model, [[1], []], [[2], [3]], 1f, Pad)).Message, StringComparison.Ordinal);
        Assert.Contains("completions[0][1]", Assert.Throws<ArgumentException>(() => SequenceLogProbs.Completions(model, [[1]], [[2, 400]], 1f, Pad)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceLogProbs.Completions(model, [[1]], [[2]], 1f, -1));
    }
}
