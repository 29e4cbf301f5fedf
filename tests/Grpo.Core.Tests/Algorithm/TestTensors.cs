using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>Small builders that keep the hand-worked numbers in the tests readable.</summary>
internal static class TestTensors
{
    public static Tensor Matrix(double[,] values, ScalarType dtype = ScalarType.Float32, bool requiresGrad = false)
    {
        using var asDouble = tensor(values);
        var result = asDouble.to_type(dtype).detach();
        return requiresGrad ? result.requires_grad_() : result;
    }

    public static Tensor Vector(double[] values, ScalarType dtype = ScalarType.Float32)
    {
        using var asDouble = tensor(values);
        return asDouble.to_type(dtype);
    }

    /// <summary>Policy log-probs that sit at exactly the wanted ratios above the given behaviour log-probs.</summary>
    public static double[,] ShiftByLogRatio(double[,] oldLogProbs, double[,] ratios)
    {
        var result = new double[oldLogProbs.GetLength(0), oldLogProbs.GetLength(1)];
        for (var i = 0; i < result.GetLength(0); i++)
            for (var t = 0; t < result.GetLength(1); t++)
                result[i, t] = oldLogProbs[i, t] + Math.Log(ratios[i, t]);
        return result;
    }

    /// <summary>
    /// Numerical gradient of <paramref name="function"/> at <paramref name="point"/> by central differences
    /// (f(x + h) − f(x − h)) / 2h, one element at a time in row-major order; the point is restored after each.
    /// </summary>
    public static double[] CentralDifferences(double[,] point, Func<double[,], double> function, double step)
    {
        var columns = point.GetLength(1);
        var gradient = new double[point.Length];
        for (var index = 0; index < gradient.Length; index++)
        {
            var (row, column) = (index / columns, index % columns);
            var original = point[row, column];
            point[row, column] = original + step;
            var above = function(point);
            point[row, column] = original - step;
            var below = function(point);
            point[row, column] = original;
            gradient[index] = (above - below) / (2 * step);
        }

        return gradient;
    }

    public static double[] Values(Tensor source)
    {
        using var asDouble = source.detach().to_type(ScalarType.Float64).contiguous();
        return asDouble.data<double>().ToArray();
    }

    public static void Close(double expected, double actual, double tolerance = 1e-5)
    {
        if (!(Math.Abs(expected - actual) <= tolerance))
            Assert.Fail($"expected {expected:R} but got {actual:R} (tolerance {tolerance:R})");
    }

    public static void AllClose(double[] expected, double[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"element {i}: expected {expected[i]:R} but got {actual[i]:R} (tolerance {tolerance:R})");
    }
}
