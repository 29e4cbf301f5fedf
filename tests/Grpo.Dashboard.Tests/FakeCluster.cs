using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;

namespace Grpo.Dashboard.Tests;

/// <summary>Runs whose status, steps and samples a test sets; the dashboard reads them as it reads run grains.</summary>
internal sealed class FakeCluster : IDashboardSource, IRunCluster
{
    private readonly Dictionary<string, FakeRun> runs = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public string ClusterName => "fake";

    /// <summary>While set, every call fails with it, as calls to a cluster that went away do.</summary>
    public Exception? Failure { get; set; }

    public FakeRun Add(string runId, RunState state, long totalSteps = 10)
    {
        lock (gate)
        {
            var run = new FakeRun { Status = new RunStatus { RunId = runId, State = state, TotalSteps = totalSteps } };
            runs[runId] = run;
            return run;
        }
    }

    public Task<T> CallAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<T>(failure) : call(this);

    public IRunGrain GetRun(string runId)
    {
        lock (gate)
        {
            // Any id names a run grain; one never started reports NotStarted, as the real grain does.
            return runs.TryGetValue(runId, out var run) ? run : new FakeRun { Status = new RunStatus { RunId = runId } };
        }
    }

    public IRunRegistryGrain GetRegistry() => throw new NotSupportedException("these tests read single runs; the run list is tested against a real cluster.");

    public IManagementGrain GetManagement() => throw new NotSupportedException("these tests read single runs; the silo list is tested against a real cluster.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class FakeRun : IRunGrain
{
    private readonly Lock gate = new();
    private readonly List<StepMetrics> steps = [];
    private readonly List<SampledGroup> samples = [];

    public RunStatus Status { get; set; } = new();
    public int StopCalls { get; private set; }

    public void AddStep(long step, float reward)
    {
        lock (gate)
        {
            steps.Add(new StepMetrics { Step = step, PolicyVersion = step + 1, MeanReward = reward, StepSeconds = 1 });
            Status = Status with { Step = step + 1, PolicyVersion = step + 1, State = RunState.Training };
        }
    }

    public void AddSample(long step, string prompt, float reward) =>
        AddSampleGroup(new SampledGroup(step, 0, prompt, "4", [new SampledCompletion("4", reward, reward - 0.5f, 1, false, step)]));

    private void AddSampleGroup(SampledGroup group)
    {
        lock (gate)
        {
            samples.Add(group);
        }
    }

    public Task<RunStatus> StartAsync(RunConfig config) => throw new NotSupportedException("the dashboard never starts runs.");

    public Task<RunStatus> GetStatusAsync() => Task.FromResult(Status);

    public Task<StepMetrics[]> GetMetricsAsync(long fromStep)
    {
        lock (gate)
        {
            return Task.FromResult(steps.Where(step => step.Step >= fromStep).ToArray());
        }
    }

    public Task<RunStatus> StopAsync()
    {
        StopCalls++;
        Status = Status with { State = RunState.Stopped };
        return Task.FromResult(Status);
    }

    public Task<SampledGroup[]> GetSamplesAsync(long fromStep)
    {
        lock (gate)
        {
            return Task.FromResult(samples.Where(sample => sample.Step >= fromStep).ToArray());
        }
    }

    public Task<LearnerActivity?> GetActivityAsync() => Task.FromResult<LearnerActivity?>(null);

    public Task<string?> GetLearnerSiloAsync() => Task.FromResult<string?>(null);

    public Task<RunResumption> ResumeAsync() => throw new NotSupportedException("these tests do not resume runs.");
}
