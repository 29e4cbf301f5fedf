using Grpo.Core.Model;

namespace Grpo.Core.Tests.Model;

public sealed class ModelConfigTests
{
    const string Qwen2Json = """
        {
          "architectures": ["Qwen2ForCausalLM"],
          "attention_dropout": 0.0,
          "bos_token_id": 151643,
          "eos_token_id": 151645,
          "hidden_act": "silu",
          "hidden_size": 896,
          "initializer_range": 0.02,
          "intermediate_size": 4864,
          "max_position_embeddings": 32768,
          "max_window_layers": 21,
          "model_type": "qwen2",
          "num_attention_heads": 14,
          "num_hidden_layers": 24,
          "num_key_value_heads": 2,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000.0,
          "sliding_window": 32768,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.1",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 151936
        }
        """;

    const string Qwen3Json = """
        {
          "architectures": ["Qwen3ForCausalLM"],
          "attention_bias": false,
          "bos_token_id": 151643,
          "eos_token_id": [151645, 151643],
          "head_dim": 128,
          "hidden_size": 1024,
          "intermediate_size": 3072,
          "max_position_embeddings": 40960,
          "model_type": "qwen3",
          "num_attention_heads": 16,
          "num_hidden_layers": 28,
          "num_key_value_heads": 8,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "vocab_size": 151936
        }
        """;

    const string LlamaJson = """
        {
          "architectures": ["LlamaForCausalLM"],
          "bos_token_id": 1,
          "eos_token_id": 2,
          "hidden_size": 2048,
          "intermediate_size": 5632,
          "max_position_embeddings": 2048,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 22,
          "num_key_value_heads": 4,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_theta": 10000.0,
          "tie_word_embeddings": false,
          "torch_dtype": "float32",
          "vocab_size": 32000
        }
        """;

    [Fact]
    public void ParsesQwen2ConfigWithImplicitBiasAndDerivedHeadDim()
    {
        var config = ModelConfig.Parse(Qwen2Json, "qwen2/config.json");
        Assert.Equal(Qwen2Family.ArchitectureName, config.Architecture);
        Assert.Equal("qwen2", config.ModelType);
        Assert.Equal(151936, config.VocabSize);
        Assert.Equal(896, config.HiddenSize);
        Assert.Equal(4864, config.IntermediateSize);
        Assert.Equal(24, config.NumHiddenLayers);
        Assert.Equal(14, config.NumAttentionHeads);
        Assert.Equal(2, config.NumKeyValueHeads);
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(1_000_000.0, config.RopeTheta);
        Assert.Equal(32768, config.MaxPositionEmbeddings);
        Assert.True(config.TieWordEmbeddings);
        Assert.True(config.AttentionBias);
        Assert.False(config.OutputProjectionBias);
        Assert.False(config.QkNorm);
        Assert.Equal(151643, config.BosTokenId);
        Assert.Equal([151645], config.EosTokenIds);
        Assert.Equal("bfloat16", config.TorchDtype);
    }

    [Fact]
    public void ParsesQwen3ConfigWithExplicitHeadDimQkNormAndEosList()
    {
        var config = ModelConfig.Parse(Qwen3Json, "qwen3/config.json");
        Assert.Equal(Qwen3Family.ArchitectureName, config.Architecture);
        Assert.Equal(128, config.HeadDim);
        Assert.Equal(8, config.NumKeyValueHeads);
        Assert.True(config.QkNorm);
        Assert.False(config.AttentionBias);
        Assert.Equal([151645, 151643], config.EosTokenIds);
        Assert.Equal(40960, config.MaxPositionEmbeddings);
        Assert.Equal(1_000_000.0, config.RopeTheta);
    }

    [Fact]
    public void ParsesLlamaConfigWithDefaultsForOmittedKeys()
    {
        var config = ModelConfig.Parse(LlamaJson, "llama/config.json");
        Assert.Equal(LlamaFamily.ArchitectureName, config.Architecture);
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.False(config.AttentionBias);
        Assert.False(config.QkNorm);
        Assert.False(config.TieWordEmbeddings);
        Assert.Equal(1, config.BosTokenId);
        Assert.Equal([2], config.EosTokenIds);

        var minimal = ModelConfig.Parse("""
            {"architectures":["LlamaForCausalLM"],"vocab_size":100,"hidden_size":64,"intermediate_size":128,
             "num_hidden_layers":2,"num_attention_heads":4}
            """, "minimal.json");
        Assert.Equal(4, minimal.NumKeyValueHeads);
        Assert.Equal(16, minimal.HeadDim);
        Assert.Equal("llama", minimal.ModelType);
        Assert.Empty(minimal.EosTokenIds);
        Assert.Null(minimal.BosTokenId);
    }

    [Fact]
    public void ReadsRopeThetaFromNestedRopeParameters()
    {
        var json = LlamaJson.Replace("\"rope_theta\": 10000.0,", "\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0},", StringComparison.Ordinal);
        Assert.Equal(500000.0, ModelConfig.Parse(json, "nested.json").RopeTheta);
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    [InlineData("llama")]
    public void SaveThenLoadGivesTheSameConfig(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "grpo-model-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var original = TestModels.ByName(name) with { BosTokenId = 3, EosTokenIds = name == "llama" ? [1, 2] : [1], TorchDtype = "float32", RmsNormEps = 1e-5, RopeTheta = 12345.5 };
            var path = Path.Combine(folder, "config.json");
            original.Save(path);
            var loaded = ModelConfig.Load(path);
            Assert.Equal(original, loaded);
            Assert.Equal(original.EosTokenIds, loaded.EosTokenIds);
            Assert.Equal(original.QkNorm, loaded.QkNorm);

            var text = File.ReadAllText(path);
            Assert.Contains("\"num_key_value_heads\"", text, StringComparison.Ordinal);
            Assert.Contains("\"tie_word_embeddings\"", text, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EqualityComparesEosContents()
    {
        var a = TestModels.Qwen3() with { EosTokenIds = [1, 2] };
        Assert.Equal(a, a with { EosTokenIds = [1, 2] });
        Assert.NotEqual(a, a with { EosTokenIds = [2, 1] });
        Assert.NotEqual(a, a with { HiddenSize = 64 });
    }

    [Fact]
    public void RefusesUnsupportedArchitectureNamingFileAndField()
    {
        var json = LlamaJson.Replace("LlamaForCausalLM", "MistralForCausalLM", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(json, "models/mistral/config.json"));
        Assert.Contains("models/mistral/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("architectures", e.Message, StringComparison.Ordinal);
        Assert.Contains("MistralForCausalLM", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vocab_size")]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("architectures")]
    public void RefusesMissingRequiredFieldNamingFileAndField(string field)
    {
        var obj = System.Text.Json.Nodes.JsonNode.Parse(LlamaJson)!.AsObject();
        obj.Remove(field);
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(obj.ToJsonString(), "missing/config.json"));
        Assert.Contains("missing/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden_size", "\"2048\"")]
    [InlineData("num_hidden_layers", "22.5")]
    [InlineData("rms_norm_eps", "\"small\"")]
    [InlineData("tie_word_embeddings", "\"false\"")]
    [InlineData("eos_token_id", "\"</s>\"")]
    [InlineData("eos_token_id", "[2, \"x\"]")]
    [InlineData("model_type", "7")]
    [InlineData("architectures", "\"LlamaForCausalLM\"")]
    public void RefusesWrongTypeNamingFileAndField(string field, string badValue)
    {
        var obj = System.Text.Json.Nodes.JsonNode.Parse(LlamaJson)!.AsObject();
        obj[field] = System.Text.Json.Nodes.JsonNode.Parse(badValue);
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(obj.ToJsonString(), "typed/config.json"));
        Assert.Contains("typed/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesRopeScalingNamingFileAndField()
    {
        var json = LlamaJson.Replace("\"rope_theta\": 10000.0,", "\"rope_theta\": 10000.0, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0},", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(json, "scaled/config.json"));
        Assert.Contains("scaled/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'rope_scaling'", e.Message, StringComparison.Ordinal);
        Assert.Contains("linear", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesInconsistentShapesAndBadJson()
    {
        var badHeads = LlamaJson.Replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 5", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(badHeads, "heads/config.json"));
        Assert.Contains("heads/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'num_key_value_heads'", e.Message, StringComparison.Ordinal);

        var notJson = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse("{\n\"vocab_size\": ,\n}", "broken/config.json"));
        Assert.Contains("broken/config.json", notJson.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", notJson.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadNamesTheMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "grpo-no-such-" + Guid.NewGuid().ToString("N"), "config.json");
        var e = Assert.Throws<FileNotFoundException>(() => ModelConfig.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
