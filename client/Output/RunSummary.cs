using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Output;

/// <summary>What summary.json holds and what the console prints when a run ends.</summary>
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

    public static RunSummary From(RunStatus status, TimeSpan wallTime, string? clientError = null) => new()
    {
        RunId = status.RunId,
        BaselineAccuracy = status.BaselineAccuracy,
        FinalAccuracy = status.FinalAccuracy,
        Steps = status.Step,
        TotalSteps = status.TotalSteps,
        PolicyVersion = status.PolicyVersion,
        WallSeconds = Math.Round(wallTime.TotalSeconds, 3),
        State = (clientError is null ? status.State : RunState.Failed).ToString(),
        Error = clientError ?? status.Error,
        Phase = status.Phase,
    };
}
