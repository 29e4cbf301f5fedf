using Grpo.Core.Registries;

namespace Grpo.Core.Model;

/// <summary>
/// Qwen2 and Qwen2.5: a bias on q, k and v but never on o_proj, whatever <c>attention_bias</c> says (transformers'
/// Qwen2 config has no such key), no q/k norm, and tokenizers that add no BOS.
/// </summary>
[GrpoComponent(ArchitectureName, Description = "Qwen2 and Qwen2.5 (model_type qwen2): q/k/v bias, no o_proj bias, no q/k norm, no BOS.")]
public sealed class Qwen2Family : IModelFamily
{
    public const string ArchitectureName = "Qwen2ForCausalLM";

    public string Architecture => ArchitectureName;

    public string ModelType => "qwen2";

    public ModelFamilyDefaults Defaults { get; } = new(RmsNormEps: 1e-6, RopeTheta: 10000.0, MaxPositionEmbeddings: 32768);

    public bool QkNorm => false;

    public bool AttentionBias(bool? attentionBiasField) => true;

    public bool OutputProjectionBias(bool attentionBias) => false;

    public bool TokenizerPrependsBos => false;

    public void Validate(ModelConfig config, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(config);
        // Only a config built in code can get here without the bias: parsing always sets it.
        if (!config.AttentionBias)
            throw new InvalidDataException($"{sourceName}: field 'attention_bias' must be true for {ArchitectureName} (Qwen2 always has q/k/v bias)");
    }
}
