namespace Grpo.Core.Model;

/// <summary>
/// What a family's transformers config class assumes for the keys a config.json may leave out, so a file that omits
/// them builds the same model here as in Hugging Face.
/// </summary>
public sealed record ModelFamilyDefaults(double RmsNormEps, double RopeTheta, int MaxPositionEmbeddings);
