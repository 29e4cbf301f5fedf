namespace Grpo.Benchmarks;

internal sealed record PublicationReport(string Preset, double ImageMegabytes, int ChunkBytes, int Pulls, double MedianMegabytesPerSecond,
    IReadOnlyList<double> MegabytesPerSecond);
