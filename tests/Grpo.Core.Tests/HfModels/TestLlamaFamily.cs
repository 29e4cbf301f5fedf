using Grpo.Core.Model;
using Grpo.Core.Registries;

namespace Grpo.Core.Tests.HfModels;

/// <summary>
/// A family as a plugin would add one, from outside the product assembly: Llama's rules except that queries and keys are
/// normalised per head (the one structural difference, so loading proves the layers follow this family and not Llama)
/// and its own model_type and default context length.
/// </summary>
[GrpoComponent(ArchitectureName, Description = "Test-only Llama variant with q/k norm.")]
public sealed class TestLlamaFamily : IModelFamily
{
    public const string ArchitectureName = "TestLlamaForCausalLM";

    readonly LlamaFamily llama = new();

    public string Architecture => ArchitectureName;

    public string ModelType => "test_llama";

    public ModelFamilyDefaults Defaults { get; } = new(RmsNormEps: 1e-5, RopeTheta: 500000.0, MaxPositionEmbeddings: 1024);

    public bool QkNorm => true;

    public bool AttentionBias(bool? attentionBiasField) => llama.AttentionBias(attentionBiasField);

    public bool OutputProjectionBias(bool attentionBias) => llama.OutputProjectionBias(attentionBias);

    public bool TokenizerPrependsBos => llama.TokenizerPrependsBos;

    public void Validate(ModelConfig config, string sourceName) => llama.Validate(config, sourceName);
}
