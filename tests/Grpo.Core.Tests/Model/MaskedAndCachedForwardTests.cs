using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class MaskedAndCachedForwardTests
{
    const long Pad = 0;

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("llama")]
    public void LeftAndRightPaddedRowsMatchTheUnpaddedSequence(string name)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(name));
        using var noGrad = no_grad();
        var alone = model.forward(TestModels.Ids([5, 9, 2, 17]));

        var ids = TestModels.Ids([Pad, Pad, 5, 9, 2, 17], [5, 9, 2, 17, Pad, Pad]);
        var mask = TestModels.Ids([0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]);
        var logits = model.Forward(ids, mask);
        Assert.True(allclose(logits[0].narrow(0, 2, 4), alone[0], 1e-4, 1e-4));
        Assert.True(allclose(logits[1].narrow(0, 0, 4), alone[0], 1e-4, 1e-4));
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void PadTokensAreNeverAttendedTo()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        using var noGrad = no_grad();
        var mask = TestModels.Ids([0, 1, 1, 0, 1]);
        var a = model.Forward(TestModels.Ids([7, 3, 4, 8, 6]), mask);
        var b = model.Forward(TestModels.Ids([30, 3, 4, 21, 6]), mask);
        // Whatever sits under a pad must not change any real position's logits.
        foreach (var position in new[] { 1, 2, 4 })
            Assert.True(allclose(a[0, position], b[0, position], 1e-5, 1e-5));
        // Sanity: changing a real token does change later logits.
        var c = model.Forward(TestModels.Ids([7, 3, 5, 8, 6]), mask);
        Assert.False(allclose(a[0, 4], c[0, 4], 1e-3, 1e-3));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void PrefillThenCachedStepsEqualFullRecomputationWithLeftPadding(string name)
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.ByName(name));
        using var noGrad = no_grad();
        // Row 0: 2 pads + 3-token prompt, row 1: 5-token prompt; then 4 decoded tokens, row 0 pads its last one.
        var ids = TestModels.Ids(
            [Pad, Pad, 11, 4, 7, 21, 3, 8, 12],
            [6, 13, 2, 30, 9, 14, 25, 5, 19]);
        var mask = TestModels.Ids(
            [0, 0, 1, 1, 1, 1, 1, 1, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        var full = model.Forward(ids, mask);

        using var cache = model.CreateCache(2, 12);
        const int prompt = 5;
        var prefill = model.Forward(ids.narrow(1, 0, prompt), mask.narrow(1, 0, prompt), cache);
        Assert.Equal(prompt, cache.Length);
        // Pad positions' logits are unspecified: compare real positions only.
        Assert.True(allclose(prefill[0].narrow(0, 2, 3), full[0].narrow(0, 2, 3), 1e-4, 1e-4));
        Assert.True(allclose(prefill[1], full[1].narrow(0, 0, prompt), 1e-4, 1e-4));
        for (var t = prompt; t < 9; t++)
        {
            var step = model.Forward(ids.narrow(1, t, 1), mask.narrow(1, 0, t + 1), cache);
            Assert.Equal([2L, 1L, 40L], step.shape);
            // Row 0's last token is a pad: its logits are unspecified, so compare it only where it is real.
            var rows = t == 8 ? 1 : 2;
            var rowStart = t == 8 ? 1 : 0;
            Assert.True(allclose(step.narrow(0, rowStart, rows), full.narrow(1, t, 1).narrow(0, rowStart, rows), 1e-4, 1e-4), $"step {t}");
            Assert.True(step.isfinite().all().item<bool>());
        }
        Assert.Equal(9, cache.Length);
    }

    [Fact]
    public void MultiTokenChunksThroughTheCacheEqualFullRecomputation()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        using var noGrad = no_grad();
        var ids = TestModels.Ids([Pad, 3, 4, 5, 6, 7, 8]);
        var mask = TestModels.Ids([0, 1, 1, 1, 1, 1, 1]);
        var full = model.Forward(ids, mask);
        using var cache = model.CreateCache(1, 7);
        model.Forward(ids.narrow(1, 0, 3), mask.narrow(1, 0, 3), cache);
        var chunk = model.Forward(ids.narrow(1, 3, 4), mask, cache);
        Assert.True(allclose(chunk, full.narrow(1, 3, 4), 1e-4, 1e-4));
        Assert.Equal(0, cache.Remaining);
    }

    [Fact]
    public void CacheOverflowAndWrongShapesGiveClearErrors()
    {
        using var scope = NewDisposeScope();
        using var model = TestModels.Create(TestModels.Qwen3());
        using var noGrad = no_grad();
        using var cache = model.CreateCache(1, 3);
        model.Forward(TestModels.Ids([1, 2]), TestModels.Ids([1, 1]), cache);
        var overflow = Assert.Throws<InvalidOperationException>(() => model.Forward(TestModels.Ids([3, 4]), TestModels.Ids([1, 1, 1, 1]), cache));
        Assert.Contains("overflow", overflow.Message, StringComparison.Ordinal);
        Assert.Contains("3", overflow.Message, StringComparison.Ordinal);
        Assert.Equal(2, cache.Length);

        var shortMask = Assert.Throws<ArgumentException>(() => model.Forward(TestModels.Ids([3]), TestModels.Ids([1]), cache));
        Assert.Contains("[1, 3]", shortMask.Message, StringComparison.Ordinal);
        var wrongBatch = Assert.Throws<ArgumentException>(() => model.Forward(TestModels.Ids([3], [4]), TestModels.Ids([1, 1, 1], [1, 1, 1]), cache));
        Assert.Contains("batch", wrongBatch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateCache(1, 0));

        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Forward(TestModels.Ids([3]), TestModels.Ids([1, 1, 1]), cache));
    }
}

public sealed class PositionsAndMaskTests
{
    [Fact]
    public void PositionsAreCumsumOfMaskMinusOneClampedAndPatternIsCausalOverRealKeys()
    {
        using var scope = NewDisposeScope();
        var mask = TestModels.Ids([0, 0, 1, 1, 1], [1, 1, 1, 0, 0]);
        var (positions, allowed) = CausalLM.PositionsAndMask(mask, past: 0, length: 5);
        Assert.Equal(new long[] { 0, 0, 0, 1, 2, 0, 1, 2, 2, 2 }, positions.data<long>().ToArray());
        Assert.Equal([2L, 1L, 5L, 5L], allowed.shape);
        // Row 0, query 3 sees keys 2 and 3 only; query 0 (a pad) sees nothing.
        Assert.Equal([false, false, true, true, false], allowed[0, 0, 3].data<bool>().ToArray());
        Assert.Equal([false, false, false, false, false], allowed[0, 0, 0].data<bool>().ToArray());
        // Row 1, query 4 (a right pad) sees the three real keys.
        Assert.Equal([true, true, true, false, false], allowed[1, 0, 4].data<bool>().ToArray());
    }

    [Fact]
    public void WithACachePrefixOnlyTheNewQueriesAreReturned()
    {
        using var scope = NewDisposeScope();
        var mask = TestModels.Ids([0, 1, 1, 0, 1]);
        var (positions, allowed) = CausalLM.PositionsAndMask(mask, past: 3, length: 2);
        Assert.Equal(new long[] { 1, 2 }, positions.data<long>().ToArray());
        Assert.Equal([1L, 1L, 2L, 5L], allowed.shape);
        Assert.Equal([false, true, true, false, false], allowed[0, 0, 0].data<bool>().ToArray());
        Assert.Equal([false, true, true, false, true], allowed[0, 0, 1].data<bool>().ToArray());
    }
}
