using Orleans.Runtime;
using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Grpo.Grains;

/// <summary>
/// A training run: owns its durable state and drives the step loop — prompts out to prompt grains, their groups
/// into the learner, one update per step, metrics recorded. With max_staleness = k the rollouts of up to k later
/// steps run while the learner trains. While the run is unfinished a reminder keeps it alive: if its silo dies the
/// next tick re-activates it elsewhere and the loop continues without anyone calling it.
/// </summary>
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    RunAssetsCache assetsCache,
    RunReminderOptions reminderOptions,
    [PersistentState("run", RunStorage.Name)] IPersistentState<RunRecord> record) : Grain, IRunGrain, IRemindable
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
        RunConfigLoader.Validate(config, $"run {RunId}");
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
            return new RunResumption(outcome, status);
        }

        // The loop that ended the run may still be writing its last state; two writes at once would conflict.
        if (loop is { IsCompleted: false }) await loop;
        stopRequested = false;
        logger.LogWarning("Run {Run} resumed after it {State} at step {Step}; last checkpoint at step {Checkpoint}.",
            RunId, status.State, status.Step, status.CheckpointStep);
        await UpdateStatusAsync(s => s with { State = RunState.Training, Phase = "resuming", Error = null, EndedAt = null, Resumable = false });
        await KeepAliveAsync();
        StartLoop();
        return new RunResumption(ResumeOutcome.Resumed, record.State.Status);
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
                    await TrainStepsAsync(config, learner);
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

    async Task TrainStepsAsync(RunConfig config, ILearnerGrain learner)
    {
        // Each loop gets its own prompt grain keys: see RunRecord.LoopGeneration.
        var generation = record.State.LoopGeneration++;
        await SaveAsync();
        var ready = await learner.InitializeAsync(config);
        var lineage = ready.Lineage;
        if (ready.CompletedSteps < record.State.NextStep)
        {
            // The learner lost the steps since its last checkpoint: they are redone, and their old metrics dropped.
            logger.LogWarning("Run {Run}: the learner resumed at step {Completed}, the run was at {Next}; redoing the steps in between.",
                RunId, ready.CompletedSteps, record.State.NextStep);
            record.State.Metrics.RemoveAll(m => m.Step >= ready.CompletedSteps);
            record.State.Samples.RemoveAll(s => s.Step >= ready.CompletedSteps);
            record.State.NextStep = ready.CompletedSteps;
        }
        await UpdateStatusAsync(s => s with
        {
            State = RunState.Training, Phase = "training", BaselineAccuracy = ready.BaselineAccuracy ?? s.BaselineAccuracy,
            PolicyVersion = ready.PolicyVersion, Step = record.State.NextStep, CheckpointStep = ready.CheckpointStep, CheckpointPath = ready.Checkpoint,
        });

        var inFlight = new Dictionary<long, Task<(GroupOutcome[] Outcomes, double Seconds)>>();
        for (var step = record.State.NextStep; step < config.Steps && !stopRequested && !deactivating; step++)
        {
            for (var ahead = step; ahead <= Math.Min(step + config.MaxStaleness, config.Steps - 1); ahead++)
                if (!inFlight.ContainsKey(ahead))
                    inFlight[ahead] = RolloutAsync(config, ahead, minVersion: Math.Max(0, ahead - config.MaxStaleness), generation, lineage);

            var clock = Stopwatch.StartNew();
            var (outcomes, generateSeconds) = await WhileLearnerLivesAsync(inFlight[step], learner, lineage);
            inFlight.Remove(step);
            var trainedStep = await WhileLearnerLivesAsync(learner.TrainStepAsync(step, outcomes.Count(o => !o.Filtered)), learner, lineage);
            double? accuracy = config.EvalEvery > 0 && (step + 1) % config.EvalEvery == 0 && step + 1 < config.Steps
                ? (await WhileLearnerLivesAsync(learner.EvaluateAsync(), learner, lineage)).Accuracy
                : null;
            var tokens = outcomes.Sum(o => o.GeneratedTokens);
            var metrics = trainedStep with
            {
                MeanReward = outcomes.Average(o => o.MeanReward),
                FractionZeroStd = outcomes.Count(o => o.ZeroStd) / (float)outcomes.Length,
                GeneratedTokens = tokens,
                GenerateSeconds = generateSeconds,
                StepSeconds = clock.Elapsed.TotalSeconds,
                TokensPerSecond = generateSeconds > 0 ? tokens / generateSeconds : 0,
                HeldOutAccuracy = accuracy,
                Regenerations = outcomes.Sum(o => o.Regenerations),
                CompletionsBySilo = outcomes.SelectMany(o => o.CompletionsBySilo)
                    .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)),
            };
            record.State.Metrics.Add(metrics);
            GrpoMetrics.RecordStep(RunId, metrics);
            KeepSamples(step, outcomes);
            record.State.NextStep = step + 1;
            await UpdateStatusAsync(s => metrics.Checkpoint is { } checkpoint
                ? s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion, CheckpointStep = metrics.PolicyVersion, CheckpointPath = checkpoint }
                : s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion });
        }
    }

    /// <param name="restart">
    /// The loop generation (see <see cref="RunRecord.LoopGeneration"/>). Prompt grains remember the group they handed
    /// over; after a learner loss, a re-activation or a resume the learner may not have seen it, so redone steps use
    /// fresh prompt grains. Completion keys and group ids stay the same, so
    /// finished completions are reused and a group delivered twice is still refused as a duplicate.
    /// </param>
    /// <remarks>
    /// With dynamic_sampling, groups whose rewards were all equal come back filtered (the learner never saw them) and
    /// up to dynamic_sampling_max_rounds rounds of fresh prompts, drawn from seed, step and round, replace them until
    /// the step has prompts_per_step informative groups. The result holds filtered outcomes too, for the metrics.
    /// </remarks>
    async Task<(GroupOutcome[] Outcomes, double Seconds)> RolloutAsync(RunConfig config, long step, long minVersion, int restart, LearnerLineage lineage)
    {
        var clock = Stopwatch.StartNew();
        var assets = assetsCache.Get(RunId, config);
        var pipeline = GrpoResilience.PromptCalls(logger);
        Task<GroupOutcome[]> Run(IReadOnlyList<Core.Tasks.TaskExample> examples, int firstIndex) =>
            Task.WhenAll(examples.Select((example, offset) => pipeline.ExecuteOnCallerContextAsync(_ =>
                GrainFactory.GetGrain<IPromptGrain>(GrainKeys.Prompt(RunId, step, firstIndex + offset, restart)).RunAsync(new PromptAssignment(
                    RunId, config, step, firstIndex + offset, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt), minVersion) { Lineage = lineage }))));

        var outcomes = new List<GroupOutcome>(await Run(assets.Batch(step, config.PromptsPerStep), 0));
        for (var round = 1; config.DynamicSampling && round <= config.DynamicSamplingMaxRounds; round++)
        {
            var missing = config.PromptsPerStep - outcomes.Count(o => !o.Filtered);
            if (missing <= 0) break;
            outcomes.AddRange(await Run(assets.Replacements(step, round, missing), outcomes.Count));
        }
        if (config.DynamicSampling && outcomes.Count(o => !o.Filtered) < config.PromptsPerStep)
            logger.LogInformation("Run {Run} step {Step}: {Kept} of {Wanted} groups had differing rewards after {Rounds} replacement rounds.",
                RunId, step, outcomes.Count(o => !o.Filtered), config.PromptsPerStep, config.DynamicSamplingMaxRounds);
        return ([.. outcomes], clock.Elapsed.TotalSeconds);
    }

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
