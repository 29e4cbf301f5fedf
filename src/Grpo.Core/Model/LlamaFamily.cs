using Grpo.Core.Registries;

namespace Grpo.Core.Model;

/// <summary>
/// Llama 2 and 3 (and the models that reuse its class, such as TinyLlama): no q/k norm, bias on all four attention
/// projections only when <c>attention_bias</c> is set, and tokenizers whose post-processor starts every sequence with BOS.
/// </summary>
[GrpoComponent(ArchitectureName, Description = "Llama 2/3 (model_type llama): optional bias on q/k/v/o, no q/k norm, BOS first.")]
public sealed class LlamaFamily : IModelFamily
{
    public const string ArchitectureName = "LlamaForCausalLM";

    public string Architecture => ArchitectureName;

    public string ModelType => "llama";

    public ModelFamilyDefaults Defaults { get; } = new(RmsNormEps: 1e-6, RopeTheta: 10000.0, MaxPositionEmbeddings: 2048);

    public bool QkNorm => false;

    public bool AttentionBias(bool? attentionBiasField) => attentionBiasField ?? false;

    public bool OutputProjectionBias(bool attentionBias) => attentionBias;

    public bool TokenizerPrependsBos => true;

    public void Validate(ModelConfig config, string sourceName) => ArgumentNullException.ThrowIfNull(config);
}
