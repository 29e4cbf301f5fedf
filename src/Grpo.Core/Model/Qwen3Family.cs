using Grpo.Core.Registries;

namespace Grpo.Core.Model;

/// <summary>
/// Qwen3 (dense): queries and keys RMS-normalised per head, bias on all four attention projections only when
/// <c>attention_bias</c> is set, and tokenizers that add no BOS. The built-in presets are of this family.
/// </summary>
[GrpoComponent(ArchitectureName, Description = "Qwen3 dense (model_type qwen3): q/k norm, optional bias on q/k/v/o, no BOS.")]
public sealed class Qwen3Family : IModelFamily
{
    public const string ArchitectureName = "Qwen3ForCausalLM";

    public string Architecture => ArchitectureName;

    public string ModelType => "qwen3";

    public ModelFamilyDefaults Defaults { get; } = new(RmsNormEps: 1e-6, RopeTheta: 10000.0, MaxPositionEmbeddings: 32768);

    public bool QkNorm => true;

    public bool AttentionBias(bool? attentionBiasField) => attentionBiasField ?? false;

    public bool OutputProjectionBias(bool attentionBias) => attentionBias;

    public bool TokenizerPrependsBos => false;

    public void Validate(ModelConfig config, string sourceName) => ArgumentNullException.ThrowIfNull(config);
}
