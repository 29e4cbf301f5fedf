using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class SlotKvCacheTests
{
    static Tensor Row(IEnumerable<long> tokens)
    {
        var ids = tokens.ToArray();
        return tensor(ids, [1, ids.Length]);
    }

    static void Prefill(CausalLM model, SlotKvCache slots, long[] prompt, params int[] into)
    {
        using var scope = NewDisposeScope();
        using var cache = model.CreateCache(1, prompt.Length);
        var ids = Row(prompt);
        model.Forward(ids, ones_like(ids), cache);
        slots.Fill(cache, 0, prompt.Length, into);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 })] // slots 0..n-1: read as a view
    [InlineData(new[] { 0, 2 })]    // a gap: gathered
    [InlineData(new[] { 1, 2 })]
    public void SlotDecodeLogitsEqualTheFullRecomputeOfEachRowAtItsOwnPosition(int[] used)
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        using var noGrad = no_grad();
        long[][] prompts = [[3, 9, 14, 2, 7, 30], [5], [11, 12, 13]];
        using var slots = model.CreateSlotCache(3, 12);
        // A former occupant leaves stale columns behind: the mask must hide them.
        Prefill(model, slots, [20, 21, 22, 23, 24, 25, 26, 27, 28], 0, 1, 2);
        for (var slot = 0; slot < 3; slot++) slots.Release(slot);

        var sequences = used.Select(slot => prompts[slot].ToList()).ToArray();
        for (var i = 0; i < used.Length; i++) Prefill(model, slots, prompts[used[i]], used[i]);
        long[] feed = [4, 8, 15];
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var input = tensor(used.Select((_, i) => feed[(i + step) % feed.Length]).ToArray(), [used.Length, 1]);
            var cached = model.ForwardSlots(input, slots, used);
            for (var i = 0; i < used.Length; i++)
            {
                sequences[i].Add(input[i, 0].item<long>());
                var full = model.forward(Row(sequences[i]))[0, -1];
                Assert.Equal(sequences[i].Count, slots.LengthOf(used[i]));
                Assert.True(allclose(cached[i, 0], full, rtol: 1e-4, atol: 1e-4),
                    $"slot {used[i]}, step {step}: max |Δ| {(cached[i, 0] - full).abs().max().item<float>()}");
            }
        }
    }

    [Fact]
    public void AFullSlotRefusesAnotherToken()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        using var noGrad = no_grad();
        using var slots = model.CreateSlotCache(1, 3);
        Prefill(model, slots, [1, 2, 3], 0);
        using var input = tensor(new long[] { 4 }, [1, 1]);
        Assert.Contains("slot 0 is full", Assert.Throws<InvalidOperationException>(() => model.ForwardSlots(input, slots, [0])).Message, StringComparison.Ordinal);
    }
}
