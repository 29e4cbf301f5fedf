using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grpo.Integration.Tests;

/// <summary>What <c>grpo status ID --json</c> prints, read back with only the fields the scenarios check.</summary>
public sealed record ReportedRun(ReportedStatus Status, IReadOnlyList<ReportedStep> Metrics)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <exception cref="JsonException">The output is not the status report.</exception>
    public static ReportedRun Parse(string json) =>
        JsonSerializer.Deserialize<ReportedRun>(json, Options) ?? throw new JsonException("grpo status --json printed null.");
}

public sealed record ReportedStatus(string RunId, string State, string Phase, long Step, long TotalSteps, long PolicyVersion, string? Error, bool IsFinished);

public sealed record ReportedStep(long Step, long PolicyVersion, int Completions, IReadOnlyDictionary<string, int> CompletionsBySilo)
{
    /// <summary>The mean reward over the step's groups, as the run recorded it.</summary>
    public float MeanReward { get; init; }
}
