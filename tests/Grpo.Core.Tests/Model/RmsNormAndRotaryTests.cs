using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class RmsNormAndRotaryTests
{
    [Fact]
    public void RmsNormMatchesHandComputation()
    {
        using var norm = new RmsNorm(2, eps: 0);
        using (no_grad()) norm.Weight.copy_(tensor(new[] { 2f, 0.5f }));
        // rms([3, 4]) = sqrt((9 + 16) / 2) = 3.5355339; [3, 4] / rms = [0.8485281, 1.1313708]; times [2, 0.5].
        using var output = norm.forward(tensor(new[] { 3f, 4f, -1f, 1f }, [2, 2]));
        var values = output.data<float>().ToArray();
        Assert.Equal(1.6970563f, values[0], tolerance: 1e-5f);
        Assert.Equal(0.5656854f, values[1], tolerance: 1e-5f);
        // rms([-1, 1]) = 1.
        Assert.Equal(-2f, values[2], tolerance: 1e-5f);
        Assert.Equal(0.5f, values[3], tolerance: 1e-5f);
    }

    [Fact]
    public void RmsNormEpsilonEntersUnderTheRoot()
    {
        using var norm = new RmsNorm(1, eps: 3);
        using var output = norm.forward(tensor(new[] { 1f }, [1, 1]));
        Assert.Equal(0.5f, output.item<float>(), tolerance: 1e-6f); // 1 / sqrt(1 + 3)
    }

    [Fact]
    public void RotaryAtPositionZeroIsIdentity()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 8);
        var (cos, sin) = RotaryEmbedding.CosSin(zeros([2, 4], ScalarType.Int64), 8, 10000);
        Assert.True(allclose(RotaryEmbedding.Apply(x, cos, sin), x, 1e-6, 1e-7));
    }

    [Fact]
    public void RotaryPreservesNormsAndRotatesPairsByPositionTimesFrequency()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 5, 8);
        var positions = tensor(new long[] { 0, 3, 7, 100, 2049 }, [1, 5]);
        var (cos, sin) = RotaryEmbedding.CosSin(positions, 8, 10000);
        var rotated = RotaryEmbedding.Apply(x, cos, sin);
        Assert.True(allclose(rotated.norm(-1), x.norm(-1), 1e-4, 1e-5));

        // Pair (0, 4) has frequency 1 and pair (1, 5) has 10000^(-2/8) = 0.1: hand rotation at position 3.
        var x0 = x[0, 0, 1, 0].item<float>(); var x4 = x[0, 0, 1, 4].item<float>();
        Assert.Equal(x0 * Math.Cos(3) - x4 * Math.Sin(3), rotated[0, 0, 1, 0].item<float>(), tolerance: 1e-4);
        Assert.Equal(x4 * Math.Cos(3) + x0 * Math.Sin(3), rotated[0, 0, 1, 4].item<float>(), tolerance: 1e-4);
        var x1 = x[0, 0, 1, 1].item<float>(); var x5 = x[0, 0, 1, 5].item<float>();
        Assert.Equal(x1 * Math.Cos(0.3) - x5 * Math.Sin(0.3), rotated[0, 0, 1, 1].item<float>(), tolerance: 1e-4);
        Assert.Equal(x5 * Math.Cos(0.3) + x1 * Math.Sin(0.3), rotated[0, 0, 1, 5].item<float>(), tolerance: 1e-4);
    }

    [Fact]
    public void RotaryDotProductDependsOnlyOnRelativePosition()
    {
        using var scope = NewDisposeScope();
        var q = randn(1, 1, 1, 8);
        var k = randn(1, 1, 1, 8);
        float Score(long qPos, long kPos)
        {
            var (cq, sq) = RotaryEmbedding.CosSin(tensor(new[] { qPos }, [1, 1]), 8, 10000);
            var (ck, sk) = RotaryEmbedding.CosSin(tensor(new[] { kPos }, [1, 1]), 8, 10000);
            return (RotaryEmbedding.Apply(q, cq, sq) * RotaryEmbedding.Apply(k, ck, sk)).sum().item<float>();
        }
        Assert.Equal(Score(5, 2), Score(13, 10), tolerance: 1e-4f);
        Assert.True(Math.Abs(Score(5, 2) - Score(5, 3)) > 1e-3);
    }
}
