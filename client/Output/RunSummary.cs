using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Output;

/// <summary>
/// What summary.json holds and what the console prints when a run ends: the run as it was last read from the cluster.
/// Its state is always one the run reported; a client that lost its connection says so elsewhere, never here.
/// </summary>
public sealed record RunSummary
{
    public required string RunId { get; init; }
    public double? BaselineAccuracy { get; init; }
    public double? FinalAccuracy { get; init; }
    public long Steps { get; init; }
    public long TotalSteps { get; init; }
    public long PolicyVersion { get; init; }
    public double WallSeconds { get; init; }
    public required string State { get; init; }
    public string? Error { get; init; }
    public string? Phase { get; init; }

    public static RunSummary From(RunStatus status, TimeSpan wallTime) => new()
    {
        RunId = status.RunId,
        BaselineAccuracy = status.BaselineAccuracy,
        FinalAccuracy = status.FinalAccuracy,
        Steps = status.Step,
        TotalSteps = status.TotalSteps,
        PolicyVersion = status.PolicyVersion,
        WallSeconds = Math.Round(wallTime.TotalSeconds, 3),
        State = status.State.ToString(),
        Error = status.Error,
        Phase = status.Phase,
    };
}
