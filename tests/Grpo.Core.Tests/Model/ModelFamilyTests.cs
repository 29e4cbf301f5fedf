using Grpo.Core.Model;

namespace Grpo.Core.Tests.Model;

/// <summary>Each built-in family's rules, read from hand-written config.json text and checked on the model they build.</summary>
public sealed class ModelFamilyTests
{
    /// <summary>A config.json with only the keys no family has a default for, plus <paramref name="extra"/> (JSON members).</summary>
    static string Minimal(string architecture, string extra = "") => $$"""
        {"architectures": ["{{architecture}}"], "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64,
         "num_hidden_layers": 1, "num_attention_heads": 4{{(extra.Length > 0 ? ", " + extra : "")}}}
        """;

    [Theory]
    [InlineData("Qwen2ForCausalLM", typeof(Qwen2Family), "qwen2", 32768)]
    [InlineData("Qwen3ForCausalLM", typeof(Qwen3Family), "qwen3", 32768)]
    [InlineData("LlamaForCausalLM", typeof(LlamaFamily), "llama", 2048)]
    public void Omitted_keys_take_the_family_defaults(string architecture, Type family, string modelType, int maxPositions)
    {
        var config = ModelConfig.Parse(Minimal(architecture), "minimal/config.json");

        Assert.IsType(family, config.Family);
        Assert.Equal(architecture, config.Architecture);
        Assert.Equal(modelType, config.ModelType);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(10000.0, config.RopeTheta);
        Assert.Equal(maxPositions, config.MaxPositionEmbeddings);
        Assert.False(config.TieWordEmbeddings);
        Assert.Equal(4, config.NumKeyValueHeads);
        Assert.Equal(8, config.HeadDim);
    }

    [Theory]
    // Qwen2 has q/k/v bias whatever attention_bias says (transformers' Qwen2 config has no such key), never on o_proj.
    [InlineData("Qwen2ForCausalLM", "", true, false, false)]
    [InlineData("Qwen2ForCausalLM", "\"attention_bias\": false", true, false, false)]
    // Qwen3 and Llama read attention_bias and then bias all four projections; only Qwen3 normalises queries and keys.
    [InlineData("Qwen3ForCausalLM", "", false, false, true)]
    [InlineData("Qwen3ForCausalLM", "\"attention_bias\": true", true, true, true)]
    [InlineData("LlamaForCausalLM", "", false, false, false)]
    [InlineData("LlamaForCausalLM", "\"attention_bias\": true", true, true, false)]
    public void Structural_flags_follow_the_family_and_shape_the_layers(
        string architecture, string extra, bool attentionBias, bool outputProjectionBias, bool qkNorm)
    {
        var config = ModelConfig.Parse(Minimal(architecture, extra), "flags/config.json");

        Assert.Equal(attentionBias, config.AttentionBias);
        Assert.Equal(outputProjectionBias, config.OutputProjectionBias);
        Assert.Equal(qkNorm, config.QkNorm);
        using var model = new CausalLM(config);
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Equal(attentionBias, names.Contains("model.layers.0.self_attn.q_proj.bias"));
        Assert.Equal(attentionBias, names.Contains("model.layers.0.self_attn.v_proj.bias"));
        Assert.Equal(outputProjectionBias, names.Contains("model.layers.0.self_attn.o_proj.bias"));
        Assert.Equal(qkNorm, names.Contains("model.layers.0.self_attn.q_norm.weight"));
        Assert.Equal(qkNorm, names.Contains("model.layers.0.self_attn.k_norm.weight"));
        Assert.Equal(config.ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Only_llama_tokenizers_prepend_bos()
    {
        Assert.True(new LlamaFamily().TokenizerPrependsBos);
        Assert.False(new Qwen2Family().TokenizerPrependsBos);
        Assert.False(new Qwen3Family().TokenizerPrependsBos);
    }

    [Theory]
    [InlineData("Qwen2ForCausalLM", "qwen3", "qwen2")]
    [InlineData("Qwen3ForCausalLM", "qwen2", "qwen3")]
    [InlineData("LlamaForCausalLM", "mistral", "llama")]
    public void A_model_type_of_another_family_is_refused_naming_file_both_fields_and_the_expected_type(
        string architecture, string modelType, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            ModelConfig.Parse(Minimal(architecture, $"\"model_type\": \"{modelType}\""), "mixed/config.json"));

        Assert.Equal(
            $"mixed/config.json: field 'model_type' = '{modelType}' is not supported for field 'architectures' = '{architecture}', which expects '{expected}'",
            error.Message);
    }

    [Fact]
    public void A_qwen2_config_built_without_attention_bias_is_refused_naming_the_field()
    {
        var error = Assert.Throws<InvalidDataException>(() => (TestModels.Qwen2() with { AttentionBias = false }).Validate("code"));
        Assert.Equal("code: field 'attention_bias' must be true for Qwen2ForCausalLM (Qwen2 always has q/k/v bias)", error.Message);
    }

    [Fact]
    public void An_unknown_architecture_is_refused_naming_file_field_and_every_registered_family()
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(Minimal("GPT2LMHeadModel"), "models/gpt2/config.json"));

        Assert.Equal(
            "models/gpt2/config.json: field 'architectures' = 'GPT2LMHeadModel' is not supported: no model family is registered under that name; " +
            "known: LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM",
            error.Message);
    }

    [Fact]
    public void Configs_of_the_same_numbers_but_different_families_differ()
    {
        var llama = TestModels.Llama();
        Assert.Equal(llama, llama with { Family = new LlamaFamily() });
        Assert.NotEqual(llama, llama with { Family = new Qwen3Family() });
    }
}
