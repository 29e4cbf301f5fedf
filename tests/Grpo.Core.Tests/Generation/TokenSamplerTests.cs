using Grpo.Core.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Generation;

public sealed class TokenSamplerTests
{
    static Tensor Logits(params float[] probabilities) => tensor(probabilities.Select(p => MathF.Log(p)).ToArray(), [1, probabilities.Length]);

    static bool[] Kept(Tensor filtered) => filtered.data<float>().ToArray().Select(float.IsFinite).ToArray();

    [Fact]
    public void TopKKeepsTheKLargest()
    {
        using var scope = NewDisposeScope();
        var logits = Logits(0.1f, 0.4f, 0.2f, 0.3f);
        Assert.Equal([false, true, false, true], Kept(TokenSampler.TopK(logits, 2)));
        Assert.Equal([true, true, true, true], Kept(TokenSampler.TopK(logits, 0)));
        Assert.Equal([true, true, true, true], Kept(TokenSampler.TopK(logits, 10)));
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        using var scope = NewDisposeScope();
        var logits = Logits(0.2f, 0.5f, 0.3f);
        // Mass before each (sorted 0.5, 0.3, 0.2): 0, 0.5, 0.8. p = 0.6 keeps 0.5 and 0.3.
        Assert.Equal([false, true, true], Kept(TokenSampler.TopP(logits, 0.6f)));
        // p = 0.4 keeps only the most likely token.
        Assert.Equal([false, true, false], Kept(TokenSampler.TopP(logits, 0.4f)));
        Assert.Equal([true, true, true], Kept(TokenSampler.TopP(logits, 1f)));
        // Kept logits are unchanged.
        Assert.Equal(MathF.Log(0.3f), TokenSampler.TopP(logits, 0.6f)[0, 2].item<float>(), tolerance: 1e-6f);
    }

    [Fact]
    public void SamplingFollowsTheFilteredDistribution()
    {
        using var scope = NewDisposeScope();
        var logits = Logits(0.05f, 0.6f, 0.35f).expand(4000, 3).contiguous();
        var rng = new torch.Generator(11);
        var picks = TokenSampler.Choose(logits, new SamplingOptions { Temperature = 1, TopK = 2 }, rng).data<long>().ToArray();
        Assert.DoesNotContain(0L, picks);
        // Renormalised over {1, 2}: P(1) = 0.6 / 0.95 = 0.6316.
        var share = picks.Count(p => p == 1) / 4000.0;
        Assert.InRange(share, 0.60, 0.66);
    }
}
