namespace Grpo.Benchmarks;

/// <summary>One case: the child's peak resident set (VmHWM), per parameter, and the accounting to read it against.</summary>
internal sealed record MemoryRow(string Case, string Settings, bool Succeeded, long PeakBytes, double BytesPerParameter, double Seconds,
    MemoryAccounting Accounting, string? Failure);

/// <param name="Shape">The model shape trained ("qwen2.5-0.5b" or the smoke form's "tiny").</param>
/// <param name="Learner">The learner update at that shape, next to the matmul probe of the same run.</param>
internal sealed record MemoryReport(string Shape, string Client, IReadOnlyList<MemoryRow> Rows, LearnerRow? Learner);
