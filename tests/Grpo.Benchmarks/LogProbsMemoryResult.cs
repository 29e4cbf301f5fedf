namespace Grpo.Benchmarks;

/// <summary>One run of <see cref="LogProbsMemoryBenchmark"/>: the shapes, and peak memory (MB above each case's start) and best time of each path.</summary>
internal sealed record LogProbsMemoryResult(
    int HiddenSize, int Vocab, int Tokens, int Repeats, double UnchunkedPeakMb, double UnchunkedSeconds, IReadOnlyList<LogProbsMemoryResult.Chunked> ChunkedCases)
{
    /// <summary>The chunked path at one chunk size.</summary>
    internal sealed record Chunked(int ChunkTokens, double PeakMb, double Seconds);
}
