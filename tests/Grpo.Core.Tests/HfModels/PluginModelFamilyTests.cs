using Grpo.Core.Checkpoints;
using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Tests.Checkpoints;
using Grpo.Core.Tests.Model;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.HfModels;

/// <summary>A family registered from this (test) assembly, as a host's plugin is, loads a model directory with no product code changed.</summary>
public sealed class PluginModelFamilyTests
{
    static ComponentRegistry<IModelFamily> HostFamilies() =>
        GrpoRegistries.CreateDefault().AddFromAssembly(typeof(TestLlamaFamily).Assembly).ModelFamilies;

    static ModelConfig TestLlamaConfig() => TestModels.Llama() with { Family = new TestLlamaFamily() };

    [Fact]
    public void A_directory_of_a_plugin_family_loads_through_the_host_registry_with_equal_logits()
    {
        using var folder = new TempFolder();
        using var model = TestModels.Create(TestLlamaConfig());
        HfModelDirectory.Save(folder.Path, model);
        Assert.Contains("\"TestLlamaForCausalLM\"", File.ReadAllText(folder.File(HfModelDirectory.ConfigFileName)));

        using var loaded = HfModelDirectory.Load(folder.Path, HostFamilies());

        Assert.IsType<TestLlamaFamily>(loaded.Config.Family);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal("test_llama", loaded.Config.ModelType);
        // Its one difference from Llama is structural: the loaded model has the q/k norm weights the family asks for.
        Assert.Contains("model.layers.0.self_attn.q_norm.weight", loaded.state_dict().Keys);
        using var input = tensor(new long[] { 1, 5, 7, 9, 3 }).unsqueeze(0);
        using var expected = model.forward(input);
        using var actual = loaded.forward(input);
        Assert.True(allclose(expected, actual, rtol: 0, atol: 0), "the plugin family's directory must reload to identical logits");
    }

    [Fact]
    public void The_plugin_family_supplies_the_defaults_of_keys_its_config_omits()
    {
        var config = ModelConfig.Parse("""
            {"architectures": ["TestLlamaForCausalLM"], "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64,
             "num_hidden_layers": 1, "num_attention_heads": 4}
            """, "plugin/config.json", HostFamilies());
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(500000.0, config.RopeTheta);
        Assert.Equal(1024, config.MaxPositionEmbeddings);
        Assert.True(config.QkNorm);
    }

    [Fact]
    public void Without_the_host_registry_the_plugin_directory_is_refused_naming_file_field_and_the_built_in_families()
    {
        using var folder = new TempFolder();
        using (var model = TestModels.Create(TestLlamaConfig()))
            HfModelDirectory.Save(folder.Path, model);

        var error = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Load(folder.Path));

        Assert.Equal(
            $"{folder.File(HfModelDirectory.ConfigFileName)}: field 'architectures' = 'TestLlamaForCausalLM' is not supported: no model family is registered under that name; " +
            "did you mean 'LlamaForCausalLM'? (known: LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)",
            error.Message);
    }

    [Fact]
    public void A_family_registered_under_a_name_other_than_its_architecture_is_refused_naming_both()
    {
        var families = new ComponentRegistry<IModelFamily>("model family").Add<TestLlamaFamily>("OtherForCausalLM");
        var json = """
            {"architectures": ["OtherForCausalLM"], "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64,
             "num_hidden_layers": 1, "num_attention_heads": 4}
            """;

        var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(json, "other/config.json", families));

        Assert.StartsWith("other/config.json: field 'architectures' = 'OtherForCausalLM' selects ", error.Message, StringComparison.Ordinal);
        Assert.Contains("TestLlamaFamily, whose Architecture is 'TestLlamaForCausalLM'", error.Message, StringComparison.Ordinal);
    }
}
