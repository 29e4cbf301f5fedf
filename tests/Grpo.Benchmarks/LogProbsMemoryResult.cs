namespace Grpo.Benchmarks;

/// <summary>One run of <see cref="LogProbsMemoryBenchmark"/>: the shapes, and peak memory (MB above each case's start) and best time of each path.</summary>
internal sealed record LogProbsMemoryResult(
    int HiddenSize, int Vocab, int Tokens, int ChunkTokens, int Repeats,
    double UnchunkedPeakMb, double ChunkedPeakMb, double UnchunkedSeconds, double ChunkedSeconds);
