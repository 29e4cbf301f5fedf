using Grpo.Core.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Model;

public sealed class Llama3RopeScalingTests
{
    // Llama 3.1's published values; expectations computed independently from Hugging Face's _compute_llama3_parameters.
    static readonly Llama3RopeScaling Llama31 = new(Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 8192);

    [Theory]
    [InlineData(0, 1.0)] // high frequency: unchanged
    [InlineData(20, 0.016560440080994446)] // high frequency: unchanged
    [InlineData(30, 0.0013718935677611381)] // between the bands: interpolated
    [InlineData(33, 0.00031269375038406517)] // between the bands: interpolated
    [InlineData(35, 9.556212353964683e-05)] // low frequency: divided by the factor
    [InlineData(63, 3.068925988914511e-07)] // low frequency: divided by the factor
    public void Inverse_frequencies_follow_the_llama3_rule(int pair, double expected)
    {
        var frequencies = RotaryEmbedding.InverseFrequencies(128, 500000, Llama31);
        Assert.Equal(expected, frequencies[pair], expected * 1e-6);
    }

    const string LlamaJson = """
        {
          "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32, "hidden_size": 16,
          "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
          "rope_theta": 500000.0,
          "rope_scaling": { "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                            "original_max_position_embeddings": 8192, "rope_type": "llama3" }
        }
        """;

    [Fact]
    public void A_llama3_config_reads_saves_and_changes_the_logits()
    {
        var config = ModelConfig.Parse(LlamaJson, "config.json");
        Assert.Equal(Llama31, config.RopeScaling);
        var path = Path.Combine(Path.GetTempPath(), "grpo-rope-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            config.Save(path);
            Assert.Equal(config, ModelConfig.Load(path));
        }
        finally
        {
            File.Delete(path);
        }

        manual_seed(1);
        using var scaled = new CausalLM(config);
        manual_seed(1);
        using var plain = new CausalLM(config with { RopeScaling = null });
        using var ids = arange(0, 24, dtype: ScalarType.Int64).remainder(32).unsqueeze(0);
        using var a = scaled.forward(ids);
        using var b = plain.forward(ids);
        Assert.False(allclose(a, b), "llama3 scaling must change attention at distant positions");
    }

    [Fact]
    public void A_missing_llama3_field_and_other_scaling_types_are_named()
    {
        var missing = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(LlamaJson.Replace("\"low_freq_factor\": 1.0, ", ""), "config.json"));
        Assert.Contains("'rope_scaling.low_freq_factor' is missing", missing.Message);
        var yarn = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(LlamaJson.Replace("\"llama3\"", "\"yarn\""), "config.json"));
        Assert.Contains("'rope_scaling' of type 'yarn' is not supported", yarn.Message);
    }
}
