using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;

namespace Grpo.Benchmarks;

/// <summary>
/// A training run on a <see cref="ProcessCluster"/>, started and watched through the client: its status is polled often
/// enough to time steps to a fraction of a second (the run grain answers from memory).
/// </summary>
internal sealed class ClusterRun(ProcessCluster cluster, string runId)
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    readonly IRunGrain run = cluster.Client.GetGrain<IRunGrain>(runId);
    readonly Stopwatch clock = new();

    public string RunId => runId;

    public async Task StartAsync(RunConfig config)
    {
        clock.Restart();
        await run.StartAsync(config);
    }

    /// <summary>Seconds since the start when the run had finished <paramref name="step"/> steps (it keeps running).</summary>
    public async Task<double> WaitForStepAsync(long step, TimeSpan timeout) =>
        (await WaitAsync(status => status.Step >= step, $"step {step}", timeout)).Seconds;

    /// <summary>The status of the run once it completed; a run that failed or stopped fails the benchmark.</summary>
    public async Task<RunStatus> WaitForCompletionAsync(TimeSpan timeout)
    {
        var (status, _) = await WaitAsync(status => status.IsFinished, "its end", timeout);
        return status.State == RunState.Completed
            ? status
            : throw new InvalidOperationException($"run {runId} ended {status.State}: {status.Error}{Environment.NewLine}{cluster.Logs()}");
    }

    public Task<StepMetrics[]> MetricsAsync(long fromStep) => run.GetMetricsAsync(fromStep);

    async Task<(RunStatus Status, double Seconds)> WaitAsync(Func<RunStatus, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = clock.Elapsed + timeout;
        while (true)
        {
            var status = await run.GetStatusAsync();
            var seconds = clock.Elapsed.TotalSeconds;
            if (condition(status)) return (status, seconds);
            if (status.IsFinished)
                throw new InvalidOperationException($"run {runId} ended {status.State} ({status.Error}) before {what}.{Environment.NewLine}{cluster.Logs()}");
            if (clock.Elapsed > deadline)
                throw new TimeoutException($"run {runId} did not reach {what} within {timeout.TotalMinutes:0} minutes; it is at step {status.Step} " +
                                           $"({status.State}, {status.Phase}).{Environment.NewLine}{cluster.Logs()}");
            await Task.Delay(PollInterval);
        }
    }
}
