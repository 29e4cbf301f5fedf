namespace Grpo.Core.Model;

/// <summary>
/// The rules of one decoder architecture that <see cref="CausalLM"/> builds, keyed by the Hugging Face class name a
/// <c>config.json</c> lists in <c>architectures</c> (<c>Qwen2ForCausalLM</c>, …): the model_type it carries, the values
/// of keys it may omit, which optional pieces the layers have and which configs it refuses. Everything else about a
/// model is numbers in <see cref="ModelConfig"/>. A family is one class marked with
/// <see cref="Registries.GrpoComponentAttribute"/> under its architecture name, so a plugin adds one without editing
/// the loader; the built-ins are <see cref="Qwen2Family"/>, <see cref="Qwen3Family"/> and <see cref="LlamaFamily"/>.
/// </summary>
public interface IModelFamily
{
    /// <summary>The Hugging Face class name, written to and read from <c>architectures[0]</c>; the family's registry name.</summary>
    string Architecture { get; }

    /// <summary>The <c>model_type</c> a config.json of this family carries; any other value is refused.</summary>
    string ModelType { get; }

    /// <summary>The values transformers' config class of the family gives the keys a config.json may omit.</summary>
    ModelFamilyDefaults Defaults { get; }

    /// <summary>Queries and keys are RMS-normalised per head before the rotary embedding; Hugging Face has no key for it.</summary>
    bool QkNorm { get; }

    /// <summary>
    /// The q/k/v bias of a model whose config.json sets <c>attention_bias</c> to <paramref name="attentionBiasField"/>
    /// (null when the key is absent): some families read the key, others have a bias whatever it says.
    /// </summary>
    bool AttentionBias(bool? attentionBiasField);

    /// <summary>Whether o_proj has a bias too, for a model whose q/k/v bias is <paramref name="attentionBias"/>.</summary>
    bool OutputProjectionBias(bool attentionBias);

    /// <summary>
    /// The family's tokenizers start every sequence with BOS (a post-processor adds it), so prompts encoded here must too;
    /// a chat template that writes BOS into its text overrides this.
    /// </summary>
    bool TokenizerPrependsBos { get; }

    /// <summary>
    /// Refuses a config this family cannot have, beyond the shape checks every family shares, naming
    /// <paramref name="sourceName"/> (the file) and the field; returns normally when it is fine.
    /// </summary>
    void Validate(ModelConfig config, string sourceName);
}
