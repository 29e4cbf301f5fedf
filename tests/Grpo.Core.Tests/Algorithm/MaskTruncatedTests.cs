using Grpo.Core.Algorithm;
using TorchSharp;
using static Grpo.Core.Tests.Algorithm.TestTensors;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Algorithm;

public sealed class MaskTruncatedTests
{
    [Fact]
    public void Rows_of_truncated_completions_are_zeroed_and_others_kept()
    {
        using var scope = NewDisposeScope();
        var mask = Matrix(new double[,] { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 } });

        var masked = GrpoObjective.MaskTruncated(mask, [false, true, false]);

        Assert.Equal(ScalarType.Float32, masked.dtype);
        Assert.Equal([1.0, 1, 1, 0, 0, 0, 1, 0, 0], Values(masked));
        // The input is not modified.
        Assert.Equal([1.0, 1, 1, 1, 1, 0, 1, 0, 0], Values(mask));
    }

    [Fact]
    public void A_bool_mask_stays_bool()
    {
        using var scope = NewDisposeScope();
        var mask = tensor(new[,] { { true, true }, { true, false } });

        var masked = GrpoObjective.MaskTruncated(mask, [true, false]);

        Assert.Equal(ScalarType.Bool, masked.dtype);
        Assert.Equal([false, false, true, false], masked.data<bool>().ToArray());
    }

    [Fact]
    public void Flags_must_match_the_completions_and_the_mask_must_be_a_matrix()
    {
        using var scope = NewDisposeScope();
        var count = Assert.Throws<ArgumentException>(() => GrpoObjective.MaskTruncated(ones(3, 2), [true, false]));
        var shape = Assert.Throws<ArgumentException>(() => GrpoObjective.MaskTruncated(ones(3), [true, false, false]));

        Assert.Equal("truncated", count.ParamName);
        Assert.Contains("[3, 2]", count.Message);
        Assert.Equal("completionMask", shape.ParamName);
    }
}
