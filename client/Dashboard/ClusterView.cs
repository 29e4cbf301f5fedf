using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Dashboard;

/// <summary>One line of the page's run list.</summary>
/// <param name="Accuracy">Held-out accuracy: the final one once measured, else the newest evaluation seen, else the baseline.</param>
public sealed record RunRow(
    string RunId, RunState State, long Step, long TotalSteps, long PolicyVersion, long? CheckpointStep, double? Accuracy,
    string Phase, string? Error, bool Finished, bool Resumable, DateTimeOffset StartedAt);

/// <summary>A silo of the cluster as its membership entry states it, with the work of each run seen on it.</summary>
/// <param name="LearnerOf">Runs whose learner this silo hosts (the learner role at work).</param>
/// <param name="CompletionsLastStep">Completions it generated for each running run's newest step (the rollout role at work).</param>
public sealed record SiloRow(
    string Name, string Address, string Host, string Status, DateTime StartedAt, DateTime LastAlive,
    string[] LearnerOf, IReadOnlyDictionary<string, int> CompletionsLastStep);

/// <summary>A running run's newest step as the cluster view shows it: the policy version rollouts trained on and its throughput.</summary>
public sealed record RunActivityRow(string RunId, long Step, long PolicyVersion, long MaxStaleness, double TokensPerSecond, string? LearnerSilo);

/// <summary>What the page shows of the cluster.</summary>
public sealed record ClusterView(string Cluster, SiloRow[] Silos, RunActivityRow[] Runs);
