using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class CausalLMStructureTests
{
    static IEnumerable<string> LayerKeys(int i, bool bias, bool qkNorm)
    {
        var prefix = $"model.layers.{i}.";
        yield return prefix + "input_layernorm.weight";
        foreach (var projection in new[] { "q", "k", "v" })
        {
            yield return prefix + $"self_attn.{projection}_proj.weight";
            if (bias) yield return prefix + $"self_attn.{projection}_proj.bias";
        }
        yield return prefix + "self_attn.o_proj.weight";
        if (qkNorm)
        {
            yield return prefix + "self_attn.q_norm.weight";
            yield return prefix + "self_attn.k_norm.weight";
        }
        yield return prefix + "post_attention_layernorm.weight";
        yield return prefix + "mlp.gate_proj.weight";
        yield return prefix + "mlp.up_proj.weight";
        yield return prefix + "mlp.down_proj.weight";
    }

    [Fact]
    public void Qwen2StateDictKeysEqualHuggingFaceWithBiasAndUntiedHead()
    {
        using var model = new CausalLM(TestModels.Qwen2());
        var expected = new List<string> { "model.embed_tokens.weight" };
        expected.AddRange(LayerKeys(0, bias: true, qkNorm: false));
        expected.AddRange(LayerKeys(1, bias: true, qkNorm: false));
        expected.Add("model.norm.weight");
        expected.Add("lm_head.weight");
        Assert.Equal(expected.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Qwen3StateDictKeysEqualHuggingFaceWithQkNormAndTiedHead()
    {
        using var model = new CausalLM(TestModels.Qwen3());
        var expected = new List<string> { "model.embed_tokens.weight" };
        expected.AddRange(LayerKeys(0, bias: false, qkNorm: true));
        expected.AddRange(LayerKeys(1, bias: false, qkNorm: true));
        expected.Add("model.norm.weight");
        Assert.Equal(expected.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ShapesFollowTheConfig()
    {
        var config = TestModels.Qwen2();
        using var model = new CausalLM(config);
        var state = model.state_dict();
        Assert.Equal([40L, 32L], state["model.embed_tokens.weight"].shape);
        Assert.Equal([32L, 32L], state["model.layers.0.self_attn.q_proj.weight"].shape);
        Assert.Equal([16L, 32L], state["model.layers.0.self_attn.k_proj.weight"].shape);
        Assert.Equal([16L], state["model.layers.0.self_attn.v_proj.bias"].shape);
        Assert.Equal([64L, 32L], state["model.layers.1.mlp.up_proj.weight"].shape);
        Assert.Equal([32L, 64L], state["model.layers.1.mlp.down_proj.weight"].shape);
        Assert.Equal([40L, 32L], state["lm_head.weight"].shape);
    }

    [Fact]
    public void TiedModelUsesTheEmbeddingAsOutputProjection()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        using var ids = TestModels.Ids([3, 5, 7]);
        using var logits = model.forward(ids);
        Assert.Equal([1L, 3L, 40L], logits.shape);
        using (no_grad())
            model.state_dict()["model.embed_tokens.weight"][4].mul_(3.0);
        using var changed = model.forward(ids);
        // Scaling one embedding row changes that token's logit at every position (output) and nothing else at position 0 (input ids avoid 4).
        Assert.False(allclose(logits[.., .., 4], changed[.., .., 4]));
        Assert.True(allclose(logits[0, 0, ..4], changed[0, 0, ..4]));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("llama")]
    public void ParameterCountMatchesTheConfigFormula(string name)
    {
        var config = TestModels.ByName(name) with { AttentionBias = name != "qwen3" };
        using var model = new CausalLM(config);
        var actual = model.parameters().Sum(p => p.numel());
        Assert.Equal(config.ParameterCount(), actual);
    }

    [Fact]
    public void InitialisationFollowsHuggingFace()
    {
        torch.manual_seed(7);
        using var model = new CausalLM(TestModels.Qwen2(vocab: 500) with { HiddenSize = 128, HeadDim = 32, IntermediateSize = 256 });
        var state = model.state_dict();
        var embedding = state["model.embed_tokens.weight"];
        Assert.InRange(embedding.std().item<float>(), 0.019f, 0.021f);
        Assert.InRange(state["lm_head.weight"].std().item<float>(), 0.019f, 0.021f);
        Assert.InRange(state["model.layers.0.mlp.gate_proj.weight"].std().item<float>(), 0.019f, 0.021f);
        Assert.Equal(0f, state["model.layers.0.self_attn.q_proj.bias"].abs().max().item<float>());
        Assert.True(state["model.norm.weight"].eq(1).all().item<bool>());
        Assert.True(state["model.layers.1.post_attention_layernorm.weight"].eq(1).all().item<bool>());
    }

    [Fact]
    public void PresetsHaveTheDocumentedSizes()
    {
        var tiny = ModelPresets.Tiny(32);
        Assert.True(tiny.QkNorm && tiny.TieWordEmbeddings);
        Assert.InRange(tiny.ParameterCount(), 200_000, 600_000);
        using (var model = new CausalLM(tiny))
            Assert.Equal(tiny.ParameterCount(), model.parameters().Sum(p => p.numel()));
        Assert.InRange(ModelPresets.Small(32000).NonEmbeddingParameterCount(), 8_000_000, 12_000_000);
        Assert.True(ModelPresets.Medium50M(32000).NonEmbeddingParameterCount() >= 50_000_000);
        Assert.True(ModelPresets.Medium50M(32000).ParameterCount() >= 50_000_000);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelPresets.Tiny(0));
    }

    [Fact]
    public void RejectsBadInputTensors()
    {
        using var model = new CausalLM(TestModels.Qwen3());
        using var floatIds = zeros(1, 3);
        Assert.Contains("inputIds", Assert.Throws<ArgumentException>(() => model.forward(floatIds)).Message, StringComparison.Ordinal);
        using var ids = TestModels.Ids([1, 2, 3]);
        using var shortMask = ones(1, 2, ScalarType.Int64);
        Assert.Contains("attentionMask", Assert.Throws<ArgumentException>(() => model.Forward(ids, shortMask)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => new CausalLM(TestModels.Qwen3() with { NumKeyValueHeads = 3 }));
    }
}
