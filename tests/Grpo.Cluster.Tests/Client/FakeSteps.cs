using Grpo.Abstractions.Contracts;

namespace Grpo.Cluster.Tests.Client;

internal static class FakeSteps
{
    /// <summary>Steps 1..count with rewards rising by 0.1 and an accuracy on every second step.</summary>
    public static StepMetrics[] Rising(int count) => [.. Enumerable.Range(1, count).Select(step => new StepMetrics
    {
        Step = step,
        PolicyVersion = step,
        MeanReward = 0.1f * step,
        MeanKl = 0.001f * step,
        ClipFraction = 0.02f,
        Loss = -0.01f,
        GeneratedTokens = 100 * step,
        TokensPerSecond = 500 + step,
        StepSeconds = 0.5,
        HeldOutAccuracy = step % 2 == 0 ? 0.2 + 0.05 * step : null,
    })];
}
