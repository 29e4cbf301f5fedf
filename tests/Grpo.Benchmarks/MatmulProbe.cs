using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Benchmarks;

/// <summary>This machine's float32 matrix-multiply speed: square products timed through libtorch with its default threads.</summary>
internal static class MatmulProbe
{
    /// <summary>GFLOP/s of [n, n] x [n, n] products (2n^3 FLOPs each) over about <paramref name="budget"/>.</summary>
    public static double GflopsPerSecond(TimeSpan budget, int n = 1024)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = randn(n, n);
        var b = randn(n, n);
        matmul(a, b).Dispose();
        var clock = Stopwatch.StartNew();
        var products = 0;
        do
        {
            using var product = matmul(a, b);
            products++;
        } while (clock.Elapsed < budget);
        return 2.0 * n * n * n * products / clock.Elapsed.TotalSeconds / 1e9;
    }
}
