using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Orleans;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>Small, fast runs of the built-in task through the real grains, and helpers to watch them.</summary>
internal static class RunScenario
{
    public static RunConfig Fast(int steps) => new()
    {
        Steps = steps,
        PromptsPerStep = 8,
        GroupSize = 8,
        Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 19),
        HeldOutSize = 60,
        MaxCompletionTokens = 4,
        WarmupSftSteps = 600,
        WarmupSftTargetAccuracy = 0.3,
        LearningRate = 3e-4,
        MinibatchSize = 64,
        CompletionTimeoutSeconds = 10,
    };

    public static async Task<RunStatus> WaitUntilAsync(IRunGrain run, Func<RunStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (condition(status)) return status;
            if (status.IsFinished)
                throw new InvalidOperationException($"run {status.RunId} ended ({status.State}: {status.Error}) before the awaited condition.");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"run {status.RunId} did not reach the awaited condition within {timeout} (at step {status.Step}, {status.Phase}).");
            await Task.Delay(100);
        }
    }

    public static Task<RunStatus> WaitForEndAsync(IRunGrain run, TimeSpan timeout) => WaitUntilAsync(run, s => s.IsFinished, timeout);

    /// <summary>Every step ran exactly once and trained exactly B×G completions.</summary>
    public static void AssertEveryStepTrainedOnce(RunConfig config, StepMetrics[] metrics)
    {
        Assert.Equal(Enumerable.Range(0, config.Steps).Select(i => (long)i), metrics.Select(m => m.Step));
        Assert.All(metrics, m => Assert.Equal(config.PromptsPerStep * config.GroupSize, m.Completions));
        Assert.All(metrics, m => Assert.Equal(config.PromptsPerStep * config.GroupSize, m.CompletionsBySilo.Values.Sum()));
        Assert.Equal(Enumerable.Range(1, config.Steps).Select(i => (long)i), metrics.Select(m => m.PolicyVersion));
    }

    public static async Task<SiloAddress[]> SilosHosting(IClusterClient client, string grainClassName)
    {
        var statistics = await client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainClassName, StringComparison.Ordinal)).Select(s => s.SiloAddress).Distinct().ToArray();
    }

    /// <summary>The silos with an activation of <paramref name="grainClassName"/> whose key is <paramref name="key"/>.</summary>
    public static async Task<SiloAddress[]> SilosHostingKey(IClusterClient client, string grainClassName, string key)
    {
        var statistics = await client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainClassName, StringComparison.Ordinal) && s.GrainId.Key.ToString() == key)
            .Select(s => s.SiloAddress).ToArray();
    }
}
