namespace Grpo.Benchmarks;

/// <summary>Everything one benchmark command measured, in one process, plus the targets judged from it.</summary>
internal sealed record SuiteReport(
    DateTimeOffset StartedAt,
    bool Quick,
    MachineInfo Machine,
    RolloutScalingReport? Rollout,
    StepReport? Step,
    LearnerReport? Learner,
    PublicationReport? Publication,
    BatchingReport? Batching,
    IReadOnlyList<TargetCheck> Targets,
    double PeakMemoryMb,
    double Seconds)
{
    /// <summary>The memory benchmark's cases, each measured in a child process of its own.</summary>
    public MemoryReport? Memory { get; init; }

    /// <summary>Continuous against static batching on the long-tailed workload.</summary>
    public LongTailReport? LongTail { get; init; }

    /// <summary>Rollout scale-out, learner egress and max_staleness speed-up measured on grpo-silo processes.</summary>
    public ScaleOutReport? ScaleOut { get; init; }
}

/// <param name="PeakMemoryNote">What the peak memory figure is.</param>
internal sealed record MachineInfo(int ProcessorCount, int TorchThreads, string Os, string Runtime, string PeakMemoryNote);

/// <summary>A target of the suite: the measured value, the bound, and whether it was met (null when not measured).</summary>
internal sealed record TargetCheck(string Name, double? Value, double Bound, bool AtLeast, string Unit)
{
    public bool? Met => Value is { } value ? AtLeast ? value >= Bound : value < Bound : null;

    public string Describe() => Value is { } value
        ? $"{Name}: {Format(value)} (target {(AtLeast ? ">=" : "<")} {Format(Bound)}) {(Met == true ? "met" : $"NOT met, by {Format(Math.Abs(value - Bound))}")}"
        : $"{Name}: not measured in this form";

    string Format(double value) => Unit == "%" ? $"{value:P0}" : $"{value:0.#} {Unit}";
}
