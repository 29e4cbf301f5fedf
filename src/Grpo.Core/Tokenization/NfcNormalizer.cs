using System.Text;
using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Tokenization;

/// <summary>
/// Unicode NFC, as Hugging Face tokenizers apply it before pre-tokenization. Relies on ICU through
/// <see cref="string.Normalize(NormalizationForm)"/>: the solution must not build with InvariantGlobalization,
/// where normalization silently returns non-ASCII text unchanged.
/// </summary>
public sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return original.IsNormalized(NormalizationForm.FormC) ? original : original.Normalize(NormalizationForm.FormC);
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
