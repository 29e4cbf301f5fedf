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
    [PersistentState("run", RunStorage.Name)] IPersistentState<RunRecord> record,
    DatabaseWaitOptions? databaseWait = null) : Grain, IRunGrain, IRemindable, IStepLoopHost
{
    /// <summary>What <c>grpo status</c> shows as the phase of a run whose loop waits for the database.</summary>
    public const string WaitingForDatabasePhase = "waiting for database";

    readonly CancellationTokenSource lifetime = new();
    Task? loop;
    bool stopRequested;
    bool deactivating;
    bool continuedOnActivation;
    bool registryBehind;
    DatabaseOutage? database;

    string RunId => this.GetPrimaryKeyString();

    DatabaseOutage Database => database ??= new DatabaseOutage($"Run {RunId}", databaseWait ?? DatabaseWaitOptions.Default, logger);

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
        // A write waiting for the database gives up: the next activation reads the record and continues from it.
        lifetime.Cancel();
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

    /// <summary>
    /// The run's status as this activation knows it. While its loop waits for the database the phase says so: the record
    /// itself keeps its phase, so the write that lands once the database is back stores no outage that is over.
    /// </summary>
    public Task<RunStatus> GetStatusAsync() => Task.FromResult(
        database?.WaitingSince is not null && !record.State.Status.IsFinished
            ? record.State.Status with { Phase = WaitingForDatabasePhase }
            : record.State.Status);

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
        await UpdateStatusForCallerAsync(s => s with { State = RunState.Training, Phase = "resuming", Error = null, EndedAt = null, Resumable = false });
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
            // The run's end may not have reached the run registry (grpo list) when it ended: it does now, then the reminder goes.
            if (record.State.Config is not null) await ReportToRegistryAsync();
            if (!registryBehind) await ForgetReminderAsync();
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
            var restarts = 0;
            var restartedAt = record.State.NextStep;
            while (true)
            {
                try
                {
                    await new StepLoop(this, config, assetsCache, logger).RunAsync(learner);
                    break;
                }
                catch (Exception e) when (!deactivating && DatabaseFailures.IsDatabaseFailure(e))
                {
                    // No learner was lost, so no restart is counted: the new loop's first write waits for the database.
                    logger.LogWarning("Run {Run}: a database failure interrupted step {Step} ({Cause}); the loop starts again once the database answers.",
                        RunId, record.State.NextStep, FailureText.Cause(e));
                    await Task.Delay(LearnerRestartDelay);
                }
                catch (Exception e) when (!deactivating && RunFailures.IsLostLearner(e))
                {
                    // Only losses in a row count against the limit: a long run may lose its learner many times over its life.
                    if (record.State.NextStep > restartedAt) restarts = 0;
                    restartedAt = record.State.NextStep;
                    if (++restarts > MaxLearnerRestarts) throw;
                    // The learner's silo (or a call to it) was lost: a new activation resumes from its last checkpoint. The
                    // cause is enough here; a loss repeated until the limit is logged in full when it fails the run.
                    logger.LogWarning("Run {Run}: the learner was lost at step {Step} ({Cause}); re-initialising it (restart {Restart}).",
                        RunId, record.State.NextStep, FailureText.Cause(e), restarts);
                    // Until membership declares the dead silo gone, calls may still be routed to it. Losses in a row wait longer each
                    // time (3, 6, 12, 24, then 30 s): while no learner silo is up, every restart sends a step's rollouts out again.
                    await Task.Delay(RestartDelay(restarts));
                }
            }

            if (deactivating) return;
            if (stopRequested)
            {
                await EndAsync(s => s with { State = RunState.Stopped, Phase = "stopped", EndedAt = DateTimeOffset.UtcNow });
                return;
            }
            await UpdateStatusAsync(s => s with { State = RunState.Evaluating, Phase = "final evaluation" });
            var final = await learner.EvaluateAsync();
            await EndAsync(s => s with { State = RunState.Completed, Phase = "completed", FinalAccuracy = final.Accuracy, EndedAt = DateTimeOffset.UtcNow });
        }
        catch (InconsistentStateException e)
        {
            // Another activation of this run wrote its state: this one is stale and must neither write nor go on.
            logger.LogError(e, "Run {Run}: its stored state was changed by another activation; this one stops.", RunId);
            DeactivateOnIdle();
        }
        catch (Exception e) when (deactivating)
        {
            // Expected while a silo shuts down: calls fail because the cluster is going away, not because of the run.
            logger.LogWarning("Run {Run}: the loop ended with its activation at step {Step} ({Cause}); the record is left for the next one.",
                RunId, record.State.NextStep, FailureText.Cause(e));
        }
        catch (Exception e)
        {
            // The whole exception goes to the silo log; the status shows its cause in one line.
            logger.LogError(e, "Run {Run} failed at step {Step}.", RunId, record.State.NextStep);
            try
            {
                await EndAsync(s => s with
                {
                    State = RunState.Failed, Phase = "failed", Error = FailureText.Cause(e), EndedAt = DateTimeOffset.UtcNow,
                    Resumable = RunFailures.IsOutsideTheRun(e),
                });
            }
            catch (Exception notRecorded) when (deactivating || notRecorded is InconsistentStateException)
            {
                // The record still says the run goes on: the next activation (its reminder is kept) continues it.
                logger.LogWarning("Run {Run}: its failure could not be recorded ({Cause}); the next activation continues the run.", RunId, FailureText.Cause(notRecorded));
            }
        }
    }

    const int MaxLearnerRestarts = 20;
    static readonly TimeSpan LearnerRestartDelay = TimeSpan.FromSeconds(3);

    static readonly TimeSpan MaxLearnerRestartDelay = TimeSpan.FromSeconds(30);

    internal static TimeSpan RestartDelay(int restart) =>
        TimeSpan.FromTicks(Math.Min(MaxLearnerRestartDelay.Ticks, LearnerRestartDelay.Ticks << Math.Min(restart - 1, 10)));

    /// <summary>
    /// Records the run's end (waiting out any database outage: the end is never only in this activation's memory) and
    /// removes its reminder, unless the run registry could not be told: then a later tick tells it and removes the reminder.
    /// </summary>
    async Task EndAsync(Func<RunStatus, RunStatus> change)
    {
        await UpdateStatusAsync(change);
        if (registryBehind)
        {
            logger.LogWarning("Run {Run} ended {State}; its reminder is kept until the run registry has recorded that.", RunId, record.State.Status.State);
            return;
        }
        await ForgetReminderAsync();
    }

    string IStepLoopHost.RunId => RunId;

    IGrainFactory IStepLoopHost.GrainFactory => GrainFactory;

    RunRecord IStepLoopHost.Record => record.State;

    bool IStepLoopHost.ShouldStop => stopRequested || deactivating;

    Task IStepLoopHost.SaveAsync() => SaveWaitingForTheDatabaseAsync();

    Task IStepLoopHost.UpdateStatusAsync(Func<RunStatus, RunStatus> change) => UpdateStatusAsync(change);

    /// <summary>The loop's status change: written whenever the database lets it, however long that takes.</summary>
    async Task UpdateStatusAsync(Func<RunStatus, RunStatus> change)
    {
        record.State.Status = change(record.State.Status);
        await SaveWaitingForTheDatabaseAsync();
        await ReportToRegistryAsync();
    }

    /// <summary>A status change a caller waits for (a resume): it fails after the bounded retries rather than keep the caller.</summary>
    async Task UpdateStatusForCallerAsync(Func<RunStatus, RunStatus> change)
    {
        record.State.Status = change(record.State.Status);
        await SaveAsync();
        await ReportToRegistryAsync();
    }

    Task SaveAsync() => GrpoResilience.DatabaseCalls("Run state write", logger).ExecuteOnCallerContextAsync(_ => record.WriteStateAsync());

    Task SaveWaitingForTheDatabaseAsync() => Database.WriteAsync("the run state write", () => record.WriteStateAsync(), lifetime.Token);

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
            registryBehind = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            registryBehind = true;
            logger.LogWarning("Run {Run}: the run registry could not be updated ({Cause}); grpo list may show an older state.", RunId, FailureText.Cause(e));
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
            logger.LogWarning("Run {Run}: its reminder could not be removed ({Cause}); the next tick will try again.", RunId, FailureText.Cause(e));
        }
    }
}
