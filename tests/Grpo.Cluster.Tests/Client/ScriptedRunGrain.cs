using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;

namespace Grpo.Cluster.Tests.Client;

/// <summary>
/// A run that advances one step per status poll, reports baseline and final accuracy, and can be told to stall,
/// fail or throw, so the client's loop is tested without a cluster.
/// </summary>
internal sealed class ScriptedRunGrain(string runId, int totalSteps) : IRunGrain
{
    private readonly StepMetrics[] steps = FakeSteps.Rising(totalSteps);
    private RunStatus status = new() { RunId = runId };

    public int StallAfterStep { get; init; } = int.MaxValue;
    public int ThrowAfterStep { get; init; } = int.MaxValue;
    public int FailAtStep { get; init; } = int.MaxValue;
    public bool IgnoreStop { get; init; }
    public Exception? ResumeFailure { get; init; }
    public Action<int>? OnStatusPoll { get; init; }

    /// <summary>The exception a status poll (1-based) throws before it advances the run, as a lost gateway would; null for none.</summary>
    public Func<int, Exception?>? PollFailure { get; init; }

    public RunConfig? StartedWith { get; private set; }
    public int StatusPolls { get; private set; }
    public int StopCalls { get; private set; }
    public int StartCalls { get; private set; }
    public List<long> MetricRequests { get; } = [];

    public Task<RunStatus> StartAsync(RunConfig config)
    {
        StartCalls++;
        StartedWith = config;
        status = status with { State = RunState.WarmingUp, Phase = "baseline", TotalSteps = totalSteps, BaselineAccuracy = 0.1 };
        return Task.FromResult(status);
    }

    public Task<RunStatus> GetStatusAsync()
    {
        StatusPolls++;
        OnStatusPoll?.Invoke(StatusPolls);
        if (PollFailure?.Invoke(StatusPolls) is { } failure)
        {
            throw failure;
        }

        // Like the real grain, a run that was never started stays NotStarted.
        if (status.IsFinished || status.State == RunState.NotStarted)
        {
            return Task.FromResult(status);
        }

        if (status.Step >= ThrowAfterStep)
        {
            throw new InvalidOperationException("silo connection lost");
        }

        if (status.Step < StallAfterStep)
        {
            var step = status.Step + 1;
            status = status with { State = RunState.Training, Phase = "", Step = step, PolicyVersion = step };
            if (step == FailAtStep)
            {
                status = status with { State = RunState.Failed, Error = "learner diverged" };
            }
            else if (step == totalSteps)
            {
                status = status with { State = RunState.Completed, FinalAccuracy = 0.8 };
            }
        }

        return Task.FromResult(status);
    }

    public Task<StepMetrics[]> GetMetricsAsync(long fromStep)
    {
        MetricRequests.Add(fromStep);
        return Task.FromResult(steps.Where(step => step.Step >= fromStep && step.Step <= status.Step).ToArray());
    }

    /// <summary>Samples the run reports once its step has been reached, like the real grain.</summary>
    public SampledGroup[] Samples { get; init; } = [];

    public Task<SampledGroup[]> GetSamplesAsync(long fromStep) =>
        Task.FromResult(Samples.Where(sample => sample.Step >= fromStep && sample.Step < status.Step).ToArray());

    /// <summary>What the learner reports as busy with, per status poll (1-based); null when the list is shorter.</summary>
    public LearnerActivity?[] Activities { get; init; } = [];

    public Task<LearnerActivity?> GetActivityAsync() =>
        Task.FromResult(StatusPolls >= 1 && StatusPolls <= Activities.Length ? Activities[StatusPolls - 1] : null);

    /// <summary>What the run answers when asked where its learner lives.</summary>
    public string? LearnerSilo { get; set; }

    public Task<string?> GetLearnerSiloAsync() => Task.FromResult(LearnerSilo);

    /// <summary>The status as it stands, without the step a poll would advance.</summary>
    public RunStatus Current => status;

    public int ResumeCalls { get; private set; }

    /// <summary>What a resume reports about where the learner continues, as the real run grain asks its learner.</summary>
    public LearnerResumePoint? LearnerStart { get; set; }

    /// <summary>Records a checkpoint of <paramref name="step"/>, as the learner would report it.</summary>
    public void Checkpointed(long step) =>
        status = status with { CheckpointStep = step, CheckpointPath = $"/checkpoints/{runId}/step-{step:D8}" };

    /// <summary>
    /// Goes back to <paramref name="step"/>, as a learner restored from a checkpoint does, and redoes the steps after it
    /// with rewards higher by <paramref name="rewardChange"/>, up to <paramref name="redoneUpTo"/> at once.
    /// </summary>
    public void Redo(long step, float rewardChange, long redoneUpTo)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i].Step > step)
            {
                steps[i] = steps[i] with { MeanReward = steps[i].MeanReward + rewardChange };
            }
        }

        status = status with { Step = redoneUpTo, PolicyVersion = redoneUpTo };
    }

    /// <summary>Makes the run look like one a failure ended, resumable or not.</summary>
    public void Fail(string error, bool resumable) =>
        status = status with { State = RunState.Failed, Error = error, Resumable = resumable };

    /// <summary>The same rules as the real grain: only stopped, resumable-failed or running runs are continued.</summary>
    public Task<RunResumption> ResumeAsync()
    {
        ResumeCalls++;
        if (ResumeFailure is not null)
        {
            throw ResumeFailure;
        }

        if (status.State == RunState.NotStarted)
        {
            return Task.FromResult(new RunResumption(ResumeOutcome.Unknown, status));
        }

        if (status.State == RunState.Completed)
        {
            return Task.FromResult(new RunResumption(ResumeOutcome.Completed, status));
        }

        if (status.State == RunState.Failed && !status.Resumable)
        {
            return Task.FromResult(new RunResumption(ResumeOutcome.NotResumable, status));
        }

        if (!status.IsFinished)
        {
            return Task.FromResult(new RunResumption(ResumeOutcome.AlreadyRunning, status));
        }

        status = status with { State = RunState.Training, Phase = "resuming", Error = null, Resumable = false };
        return Task.FromResult(new RunResumption(ResumeOutcome.Resumed, status) { LearnerStart = LearnerStart });
    }

    public Task<RunStatus> StopAsync()
    {
        StopCalls++;
        if (!IgnoreStop)
        {
            status = status with { State = RunState.Stopped };
        }

        return Task.FromResult(status);
    }
}
