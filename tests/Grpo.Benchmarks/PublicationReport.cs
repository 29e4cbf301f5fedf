namespace Grpo.Benchmarks;

internal sealed record PublicationReport(string Preset, double ImageMegabytes, int ChunkBytes, int Pulls, double MedianMegabytesPerSecond,
    IReadOnlyList<double> MegabytesPerSecond, IReadOnlyList<EgressFigure> Egress)
{
    public PublicationStages? Stages { get; init; }

    /// <summary>CPU seconds the process (both silos) spent on each timed pull.</summary>
    public IReadOnlyList<double> PullCpuSeconds { get; init; } = [];
}

/// <summary>A pull's stages measured apart (see <c>PublicationBenchmark.MeasureStagesAsync</c>).</summary>
internal sealed record PublicationStages(StageFigure Hash, StageFigure SerialFetch, int Parallelism, StageFigure ParallelFetch);

/// <summary>
/// <paramref name="Pullers"/> rollout silos pulled one new version at once: the learner sent <paramref name="LearnerImages"/>
/// images of it (the rest came from relays), and the last pull ended after <paramref name="Seconds"/>.
/// </summary>
internal sealed record EgressFigure(int Pullers, double LearnerImages, double Seconds);
