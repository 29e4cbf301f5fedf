using Orleans.Runtime;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Configuration;
using Grpo.Grains.Components;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Grpo.Grains.Runs.Components;
using Grpo.Grains.Telemetry;
using Grpo.Grains.Steps;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Grpo.Grains;

/// <summary>
/// A training run: owns its durable state and its lifecycle, and drives the <see cref="StepLoop"/> that trains it. It
/// restarts the loop when the learner is lost, stops or resumes it when asked, and decides what a failure means for
/// the run. While the run is unfinished a reminder keeps it alive: if its silo dies the next tick re-activates it
/// elsewhere and the loop continues without anyone calling it.
/// </summary>
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    RunAssetsCache assetsCache,
    IClusterComponents clusterComponents,
    RunReminderOptions reminderOptions,
    [PersistentState("run", RunStorage.Name)] IPersistentState<RunRecord> record) : Grain, IRunGrain, IRemindable, IStepLoopHost
{
    Task? loop;
    bool stopRequested;
    bool deactivating;
    bool continuedOnActivation;

    string RunId => this.GetPrimaryKeyString();

    /// <summary>
    /// A run whose activation was lost (its silo died, or the whole cluster stopped) continues where its durable state
    /// says it was. Steps redone this way are not counted twice: the learner answers for a step it already trained and
    /// refuses its groups again.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.State.Config is not null && !record.State.Status.IsFinished)
        {
            logger.LogWarning("Run {Run} re-activated at step {Step}; continuing.", RunId, record.State.NextStep);
            record.State.Status = record.State.Status with { Phase = "resuming" };
            continuedOnActivation = true;
            StartLoop();
        }
    }

    /// <summary>
    /// The silo is shutting down (or the activation is being moved): the loop must leave the record as it is, so the
    /// next activation continues the run instead of finding it failed by the shutdown's broken calls.
    /// </summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        deactivating = true;
        if (record.State.Config is not null && !record.State.Status.IsFinished)
            logger.LogWarning("Run {Run} deactivated at step {Step} ({Reason}); its reminder or a resume continues it.", RunId, record.State.NextStep, reason);
        return Task.CompletedTask;
    }

    public async Task<RunStatus> StartAsync(RunConfig config)
    {
        if (record.State.Config is not null) return record.State.Status;
        // Which silo lacks a component is the more useful message than this silo's own "not registered".
        EnsureEverySiloHasTheComponents(config);
        RunConfigLoader.Validate(config, $"run {RunId}", RunComponentCatalog.Build(assetsCache.Registries), assetsCache.DataRoots);
        assetsCache.Get(RunId, config); // refuses an unsupported task or model before the run is recorded
        record.State.Config = config;
        record.State.Status = new RunStatus
        {
            RunId = RunId, State = RunState.WarmingUp, TotalSteps = config.Steps, StartedAt = DateTimeOffset.UtcNow, Phase = "warm-up",
        };
        await SaveAsync();
        await KeepAliveAsync();
        StartLoop();
        return record.State.Status;
    }

    /// <summary>Any rollout silo may score a completion and any learner silo may rebuild the run: all must know its components.</summary>
    void EnsureEverySiloHasTheComponents(RunConfig config)
    {
        var problems = ComponentAvailability.Problems(RunComponents.Required(config), clusterComponents.ActiveSilos());
        if (problems.Count > 0)
        {
            throw new RunConfigException($"run {RunId}", [.. problems.Select(problem => new RunConfigProblem(null, problem))]);
        }
    }

    public Task<RunStatus> GetStatusAsync() => Task.FromResult(record.State.Status);

    public Task<StepMetrics[]> GetMetricsAsync(long fromStep) =>
        Task.FromResult(record.State.Metrics.Where(m => m.Step >= fromStep).ToArray());

    public Task<RunStatus> StopAsync()
    {
        stopRequested = true;
        return Task.FromResult(record.State.Status);
    }

    public async Task<RunResumption> ResumeAsync()
    {
        var status = record.State.Status;
        if (record.State.Config is null) return new RunResumption(ResumeOutcome.Unknown, status);
        if (status.State == RunState.Completed) return new RunResumption(ResumeOutcome.Completed, status);
        if (status.State == RunState.Failed && !status.Resumable) return new RunResumption(ResumeOutcome.NotResumable, status);
        if (!status.IsFinished)
        {
            // This activation runs the loop (OnActivateAsync started it if the run was interrupted); a stop asked for
            // but not yet reached is withdrawn.
            stopRequested = false;
            if (loop is null or { IsCompleted: true }) StartLoop();
            // An interrupted run (its silos died or the whole cluster stopped) was continued by this activation: for
            // the first caller to ask, that is the resume; later callers find it running.
            var outcome = continuedOnActivation ? ResumeOutcome.Resumed : ResumeOutcome.AlreadyRunning;
            continuedOnActivation = false;
            return new RunResumption(outcome, status) { LearnerStart = outcome == ResumeOutcome.Resumed ? await LearnerStartAsync() : null };
        }

        // The loop that ended the run may still be writing its last state; two writes at once would conflict.
        if (loop is { IsCompleted: false }) await loop;
        stopRequested = false;
        logger.LogWarning("Run {Run} resumed after it {State} at step {Step}; last checkpoint at step {Checkpoint}.",
            RunId, status.State, status.Step, status.CheckpointStep);
        // Asked before the loop starts, so the answer is what the learner's start-up will find.
        var learnerStart = await LearnerStartAsync();
        await UpdateStatusAsync(s => s with { State = RunState.Training, Phase = "resuming", Error = null, EndedAt = null, Resumable = false });
        await KeepAliveAsync();
        StartLoop();
        return new RunResumption(ResumeOutcome.Resumed, record.State.Status) { LearnerStart = learnerStart };
    }

    /// <summary>
    /// Where the learner will continue, so that resume names the checkpoint actually used; null when the learner cannot
    /// be asked now (the loop finds out itself and the status shows it).
    /// </summary>
    async Task<LearnerResumePoint?> LearnerStartAsync()
    {
        try
        {
            return await GrainFactory.GetGrain<ILearnerGrain>(RunId).GetResumePointAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Run {Run}: could not ask the learner where it continues: {Error}", RunId, e.Message);
            return null;
        }
    }

    /// <summary>
    /// A tick only has to reach the grain: activating it continues an unfinished run (OnActivateAsync). A tick for a
    /// run that has ended removes the reminder, in case ending could not.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RunReminderOptions.ReminderName) return;
        if (record.State.Config is null || record.State.Status.IsFinished)
        {
            await ForgetReminderAsync();
            return;
        }
        if (loop is null or { IsCompleted: true })
        {
            logger.LogWarning("Run {Run}: its loop was not running at a reminder tick; continuing at step {Step}.", RunId, record.State.NextStep);
            StartLoop();
        }
    }

    void StartLoop() => loop = RunLoopAsync(record.State.Config!);

    async Task RunLoopAsync(RunConfig config)
    {
        // The run lives in this activation until it ends; idle collection must not take it away mid-run.
        DelayDeactivation(TimeSpan.FromDays(30));
        var learner = GrainFactory.GetGrain<ILearnerGrain>(RunId);
        try
        {
            for (var restart = 0; ; restart++)
            {
                try
                {
                    await new StepLoop(this, config, assetsCache, logger).RunAsync(learner);
                    break;
                }
                catch (Exception e) when (restart < MaxLearnerRestarts && IsLostGrain(e) && !deactivating)
                {
                    // The learner's silo (or a call to it) was lost: a new activation resumes from its last checkpoint.
                    logger.LogWarning(e, "Run {Run}: the learner was lost at step {Step}; re-initialising it (restart {Restart}).",
                        RunId, record.State.NextStep, restart + 1);
                    // Until membership declares the dead silo gone, calls may still be routed to it.
                    await Task.Delay(LearnerRestartDelay);
                }
            }

            if (deactivating) return;
            if (stopRequested)
            {
                await UpdateStatusAsync(s => s with { State = RunState.Stopped, Phase = "stopped", EndedAt = DateTimeOffset.UtcNow });
                await ForgetReminderAsync();
                return;
            }
            await UpdateStatusAsync(s => s with { State = RunState.Evaluating, Phase = "final evaluation" });
            var final = await learner.EvaluateAsync();
            await UpdateStatusAsync(s => s with { State = RunState.Completed, Phase = "completed", FinalAccuracy = final.Accuracy, EndedAt = DateTimeOffset.UtcNow });
            await ForgetReminderAsync();
        }
        catch (InconsistentStateException e)
        {
            // Another activation of this run wrote its state: this one is stale and must neither write nor go on.
            logger.LogError(e, "Run {Run}: its stored state was changed by another activation; this one stops.", RunId);
            DeactivateOnIdle();
        }
        catch (Exception e) when (deactivating)
        {
            logger.LogWarning(e, "Run {Run}: the loop ended with its activation at step {Step}; the record is left for the next one.", RunId, record.State.NextStep);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {Run} failed.", RunId);
            await UpdateStatusAsync(s => s with
            {
                State = RunState.Failed, Phase = "failed", Error = e.Message, EndedAt = DateTimeOffset.UtcNow, Resumable = IsOutsideTheRun(e),
            });
            await ForgetReminderAsync();
        }
    }

    const int MaxLearnerRestarts = 20;
    static readonly TimeSpan LearnerRestartDelay = TimeSpan.FromSeconds(3);

    static bool IsLostGrain(Exception e) => e is OrleansException or TimeoutException || e.InnerException is { } inner && IsLostGrain(inner);

    /// <summary>
    /// Failures a resume may cure once the cause is dealt with: lost silos, an unreachable database, unreadable or
    /// unwritable checkpoint files. A refused configuration or a failing update is not: it would fail again.
    /// </summary>
    static bool IsOutsideTheRun(Exception e) =>
        e is OrleansException or TimeoutException or IOException or InvalidDataException or UnauthorizedAccessException
        || e.InnerException is { } inner && IsOutsideTheRun(inner);

    string IStepLoopHost.RunId => RunId;

    IGrainFactory IStepLoopHost.GrainFactory => GrainFactory;

    RunRecord IStepLoopHost.Record => record.State;

    bool IStepLoopHost.ShouldStop => stopRequested || deactivating;

    Task IStepLoopHost.SaveAsync() => SaveAsync();

    Task IStepLoopHost.UpdateStatusAsync(Func<RunStatus, RunStatus> change) => UpdateStatusAsync(change);

    async Task UpdateStatusAsync(Func<RunStatus, RunStatus> change)
    {
        record.State.Status = change(record.State.Status);
        await SaveAsync();
        await ReportToRegistryAsync();
    }

    Task SaveAsync() => GrpoResilience.DatabaseCalls("Run state write", logger).ExecuteOnCallerContextAsync(_ => record.WriteStateAsync());

    /// <summary>
    /// The registry only serves <c>list</c>; the run's own record is the truth. A registry that cannot be written after
    /// the retries leaves the listing behind until the next status change, but never stops the run.
    /// </summary>
    async Task ReportToRegistryAsync()
    {
        try
        {
            var registry = GrainFactory.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);
            var status = record.State.Status with { RunId = RunId };
            await GrpoResilience.DatabaseCalls("Run registry update", logger).ExecuteOnCallerContextAsync(_ => registry.RecordAsync(status));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Run {Run}: the run registry could not be updated; grpo list may show an older state.", RunId);
        }
    }

    /// <summary>Registers (or renews) the reminder that re-activates this run if its silo dies.</summary>
    Task KeepAliveAsync() => GrpoResilience.DatabaseCalls("Run reminder registration", logger)
        .ExecuteOnCallerContextAsync(_ => this.RegisterOrUpdateReminder(RunReminderOptions.ReminderName, reminderOptions.Period, reminderOptions.Period));

    async Task ForgetReminderAsync()
    {
        try
        {
            await GrpoResilience.DatabaseCalls("Run reminder removal", logger).ExecuteOnCallerContextAsync(async _ =>
            {
                if (await this.GetReminder(RunReminderOptions.ReminderName) is { } reminder)
                    await this.UnregisterReminder(reminder);
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Harmless: a tick for an ended run removes the reminder then.
            logger.LogWarning(e, "Run {Run}: its reminder could not be removed; the next tick will try again.", RunId);
        }
    }
}
