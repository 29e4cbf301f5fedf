namespace Grpo.Core.Generation;

/// <summary>How <see cref="Generator"/> picks tokens and when it stops. Temperature 0 means greedy decoding.</summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 1f;

    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches TopP (1 = off).</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Keep only the K most likely tokens (0 = off).</summary>
    public int TopK { get; init; }

    public int MaxNewTokens { get; init; } = 64;
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>The temperature the recorded log-probs are computed at: the sampling temperature, or 1 for greedy.</summary>
    public float LogProbTemperature => Temperature > 0 ? Temperature : 1f;

    public void Validate()
    {
        if (!float.IsFinite(Temperature) || Temperature < 0)
            throw new ArgumentException($"SamplingOptions.Temperature = {Temperature} must be a finite number >= 0 (0 = greedy)", nameof(Temperature));
        if (!float.IsFinite(TopP) || TopP <= 0 || TopP > 1)
            throw new ArgumentException($"SamplingOptions.TopP = {TopP} must be in (0, 1] (1 = off)", nameof(TopP));
        if (TopK < 0)
            throw new ArgumentException($"SamplingOptions.TopK = {TopK} must be >= 0 (0 = off)", nameof(TopK));
        if (MaxNewTokens <= 0)
            throw new ArgumentException($"SamplingOptions.MaxNewTokens = {MaxNewTokens} must be positive", nameof(MaxNewTokens));
        if (EosTokenIds is null)
            throw new ArgumentException("SamplingOptions.EosTokenIds must not be null (use [] for none)", nameof(EosTokenIds));
        for (var i = 0; i < EosTokenIds.Count; i++)
            if (EosTokenIds[i] < 0)
                throw new ArgumentException($"SamplingOptions.EosTokenIds[{i}] = {EosTokenIds[i]} must be a non-negative token id", nameof(EosTokenIds));
        if (StopStrings is null)
            throw new ArgumentException("SamplingOptions.StopStrings must not be null (use [] for none)", nameof(StopStrings));
        for (var i = 0; i < StopStrings.Count; i++)
            if (string.IsNullOrEmpty(StopStrings[i]))
                throw new ArgumentException($"SamplingOptions.StopStrings[{i}] must be a non-empty string", nameof(StopStrings));
    }
}
