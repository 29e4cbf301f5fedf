using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Cluster;

/// <summary>What <c>grpo status --json</c> prints: the run's status and its recorded metric history, for scripts and monitoring.</summary>
public sealed record StatusReport(RunStatus Status, IReadOnlyList<StepMetrics> Metrics);
