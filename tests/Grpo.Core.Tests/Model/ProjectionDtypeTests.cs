using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

/// <summary>
/// A model built with bfloat16 projections (a frozen LoRA base) holds exactly the rounded weights of the float32 model of
/// the same seed, so every silo rebuilds the same base whichever way it builds it; everything else stays float32.
/// </summary>
public sealed class ProjectionDtypeTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("qwen2")]
    [InlineData("llama")]
    public void A_bfloat16_build_holds_the_rounded_weights_of_the_float32_build(string family)
    {
        var config = TestModels.ByName(family);
        manual_seed(77);
        using var wide = new CausalLM(config);
        manual_seed(77);
        using var narrow = new CausalLM(config, ScalarType.BFloat16);

        var wideState = wide.state_dict();
        var narrowState = narrow.state_dict();
        Assert.Equal(wideState.Keys.Order(), narrowState.Keys.Order());
        var projections = 0;
        foreach (var (name, expected) in wideState)
        {
            var actual = narrowState[name];
            var isProjection = name.EndsWith("_proj.weight", StringComparison.Ordinal);
            Assert.Equal(isProjection ? ScalarType.BFloat16 : ScalarType.Float32, actual.dtype);
            using var rounded = isProjection ? expected.to_type(ScalarType.BFloat16) : expected.alias();
            Assert.True(rounded.eq(actual).all().item<bool>(), $"{name} differs from the float32 build's {(isProjection ? "rounded " : "")}values");
            if (isProjection) projections++;
        }
        Assert.True(projections >= 7 * config.NumHiddenLayers, $"only {projections} projections compared");
    }

    [Fact]
    public void A_bfloat16_build_computes_in_float32()
    {
        var config = TestModels.Qwen3();
        manual_seed(78);
        using var narrow = new CausalLM(config, ScalarType.BFloat16);
        using var ids = tensor(new long[] { 1, 4, 2, 7 }).unsqueeze(0);
        using var logits = narrow.forward(ids);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.True(logits.isfinite().all().item<bool>());
    }
}
