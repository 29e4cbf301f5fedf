using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Cluster;

/// <summary>What <c>grpo status --json</c> prints: the run's status and its recorded metric history, for scripts and monitoring.</summary>
/// <param name="LearnerSilo">The address of the silo hosting the run's learner, or null while none is active.</param>
public sealed record StatusReport(RunStatus Status, IReadOnlyList<StepMetrics> Metrics, string? LearnerSilo = null);
