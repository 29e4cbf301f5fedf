namespace Grpo.Core.Model;

/// <summary>
/// Llama 3's frequency-dependent rotary scaling (<c>rope_scaling</c> with <c>rope_type</c> "llama3"): wavelengths
/// longer than <c>original_max_position_embeddings / low_freq_factor</c> are stretched by <see cref="Factor"/>, those
/// shorter than <c>original / high_freq_factor</c> are kept, and the band between is interpolated smoothly.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    /// <summary>The scaled inverse frequency of one rotary pair, as Hugging Face's <c>_compute_llama3_parameters</c>.</summary>
    public double Scale(double inverseFrequency)
    {
        var lowFrequencyWavelength = OriginalMaxPositionEmbeddings / LowFreqFactor;
        var highFrequencyWavelength = OriginalMaxPositionEmbeddings / HighFreqFactor;
        var wavelength = 2 * Math.PI / inverseFrequency;
        if (wavelength < highFrequencyWavelength) return inverseFrequency;
        if (wavelength > lowFrequencyWavelength) return inverseFrequency / Factor;
        var smooth = (OriginalMaxPositionEmbeddings / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return (1 - smooth) * inverseFrequency / Factor + smooth * inverseFrequency;
    }

    public void Validate(string sourceName)
    {
        if (!(Factor >= 1) || double.IsInfinity(Factor))
            throw new InvalidDataException($"{sourceName}: field 'rope_scaling.factor' = {Factor} must be a number of at least 1");
        if (!(LowFreqFactor > 0) || !(HighFreqFactor > LowFreqFactor) || double.IsInfinity(HighFreqFactor))
            throw new InvalidDataException(
                $"{sourceName}: fields 'rope_scaling.low_freq_factor' = {LowFreqFactor} and 'rope_scaling.high_freq_factor' = {HighFreqFactor} must satisfy 0 < low < high");
        if (OriginalMaxPositionEmbeddings <= 0)
            throw new InvalidDataException(
                $"{sourceName}: field 'rope_scaling.original_max_position_embeddings' = {OriginalMaxPositionEmbeddings} must be positive");
    }
}
