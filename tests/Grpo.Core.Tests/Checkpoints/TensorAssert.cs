using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

internal static class TensorAssert
{
    /// <summary>Same dtype, shape and every value bit for bit (no tolerance: checkpoints must round-trip exactly).</summary>
    public static void Identical(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var same = expected.cpu().eq(actual.cpu()).all();
        Assert.True(same.item<bool>(), $"tensor '{name}' differs");
    }
}
