namespace Grpo.Benchmarks;

/// <summary>What one engine configuration achieved over the measured rounds.</summary>
internal sealed record RolloutModeResult(
    string Mode,
    int RolloutMaxBatch,
    int Rounds,
    long Completions,
    long Tokens,
    double Seconds,
    long Admissions,
    double MeanSequencesPerAdmission)
{
    public double TokensPerSecond => Tokens / Seconds;
}
