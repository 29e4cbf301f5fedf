using Grpo.Core.Model;
using Grpo.Core.Registries;
using Grpo.Core.Tests.HfModels;

namespace Grpo.Core.Tests.Registries;

public sealed class ModelFamilyRegistryTests
{
    [Fact]
    public void The_default_set_registers_the_built_in_families_under_their_architecture_names()
    {
        var families = GrpoRegistries.CreateDefault().ModelFamilies;

        Assert.Equal("model family", families.Kind);
        Assert.Equal(["LlamaForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM"], families.Names);
        foreach (var name in families.Names)
            Assert.Equal(name, families.Create(name, new ComponentArguments("architectures")).Architecture);
        Assert.Equal(typeof(Qwen2Family), families.ImplementationOf("Qwen2ForCausalLM"));
        Assert.NotEmpty(families.Describe("LlamaForCausalLM"));
    }

    [Fact]
    public void A_scanned_assembly_adds_its_families_next_to_the_built_ins_and_to_the_listing()
    {
        var registries = GrpoRegistries.CreateDefault().AddFromAssembly(typeof(TestLlamaFamily).Assembly);

        Assert.Equal(["LlamaForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "TestLlamaForCausalLM"], registries.ModelFamilies.Names);
        Assert.Equal(registries.ModelFamilies.Names, registries.Listing()["model family"]);
        Assert.Equal(typeof(TestLlamaFamily), registries.ModelFamilies.ImplementationOf(TestLlamaFamily.ArchitectureName));
    }
}
