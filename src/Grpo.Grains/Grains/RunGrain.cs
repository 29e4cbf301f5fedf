using Orleans.Runtime;
using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains;

/// <summary>
/// A training run: owns its durable state and drives the step loop — prompts out to prompt grains, their groups
/// into the learner, one update per step, metrics recorded. With max_staleness = k the rollouts of up to k later
/// steps run while the learner trains.
/// </summary>
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    RunAssetsCache assetsCache,
    [PersistentState("run", RunStorage.Name)] IPersistentState<RunRecord> record) : Grain, IRunGrain
{
    Task? loop;
    bool stopRequested;

    string RunId => this.GetPrimaryKeyString();

    /// <summary>
    /// A run whose activation was lost (its silo died) continues where its durable state says it was. Steps redone
    /// this way are not counted twice: the learner answers for a step it already trained and refuses its groups again.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.State.Config is { } config && !record.State.Status.IsFinished)
        {
            logger.LogWarning("Run {Run} re-activated at step {Step}; continuing.", RunId, record.State.NextStep);
            // The lost activation's prompt grains may have fed a learner lost with it; this loop must not reuse them.
            record.State.Restarts++;
            await record.WriteStateAsync(cancellationToken);
            loop = RunLoopAsync(config);
        }
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
        await record.WriteStateAsync();
        loop = RunLoopAsync(config);
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
                    await TrainStepsAsync(config, learner, record.State.Restarts);
                    break;
                }
                catch (Exception e) when (restart < MaxLearnerRestarts && IsLostGrain(e))
                {
                    // The learner's silo (or a call to it) was lost: a new activation resumes from its last checkpoint.
                    logger.LogWarning(e, "Run {Run}: the learner was lost at step {Step}; re-initialising it (restart {Restart}).",
                        RunId, record.State.NextStep, restart + 1);
                    record.State.Restarts++;
                    // Until membership declares the dead silo gone, calls may still be routed to it.
                    await Task.Delay(LearnerRestartDelay);
                }
            }

            if (stopRequested)
            {
                await UpdateStatusAsync(s => s with { State = RunState.Stopped, Phase = "stopped", EndedAt = DateTimeOffset.UtcNow });
                return;
            }
            await UpdateStatusAsync(s => s with { State = RunState.Evaluating, Phase = "final evaluation" });
            var final = await learner.EvaluateAsync();
            await UpdateStatusAsync(s => s with { State = RunState.Completed, Phase = "completed", FinalAccuracy = final.Accuracy, EndedAt = DateTimeOffset.UtcNow });
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {Run} failed.", RunId);
            await UpdateStatusAsync(s => s with { State = RunState.Failed, Phase = "failed", Error = e.Message, EndedAt = DateTimeOffset.UtcNow });
        }
    }

    const int MaxLearnerRestarts = 20;
    static readonly TimeSpan LearnerRestartDelay = TimeSpan.FromSeconds(3);

    static bool IsLostGrain(Exception e) => e is OrleansException or TimeoutException || e.InnerException is { } inner && IsLostGrain(inner);

    async Task TrainStepsAsync(RunConfig config, ILearnerGrain learner, int restart)
    {
        var ready = await learner.InitializeAsync(config);
        if (ready.CompletedSteps < record.State.NextStep)
        {
            // The learner lost the steps since its last checkpoint: they are redone, and their old metrics dropped.
            logger.LogWarning("Run {Run}: the learner resumed at step {Completed}, the run was at {Next}; redoing the steps in between.",
                RunId, ready.CompletedSteps, record.State.NextStep);
            record.State.Metrics.RemoveAll(m => m.Step >= ready.CompletedSteps);
            record.State.NextStep = ready.CompletedSteps;
        }
        await UpdateStatusAsync(s => s with
        {
            State = RunState.Training, Phase = "training", BaselineAccuracy = ready.BaselineAccuracy ?? s.BaselineAccuracy,
            PolicyVersion = ready.PolicyVersion, Step = record.State.NextStep,
        });

        var inFlight = new Dictionary<long, Task<(GroupOutcome[] Outcomes, double Seconds)>>();
        for (var step = record.State.NextStep; step < config.Steps && !stopRequested; step++)
        {
            for (var ahead = step; ahead <= Math.Min(step + config.MaxStaleness, config.Steps - 1); ahead++)
                if (!inFlight.ContainsKey(ahead))
                    inFlight[ahead] = RolloutAsync(config, ahead, minVersion: Math.Max(0, ahead - config.MaxStaleness), restart);

            var clock = Stopwatch.StartNew();
            var (outcomes, generateSeconds) = await inFlight[step];
            inFlight.Remove(step);
            var trainedStep = await learner.TrainStepAsync(step, outcomes.Count(o => !o.Filtered));
            double? accuracy = config.EvalEvery > 0 && (step + 1) % config.EvalEvery == 0 && step + 1 < config.Steps
                ? (await learner.EvaluateAsync()).Accuracy
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
            await UpdateStatusAsync(s => s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion });
        }
    }

    /// <param name="restart">
    /// How often the learner or the run's activation was lost (<see cref="RunRecord.Restarts"/>). Prompt grains remember
    /// the group they handed over; after a loss the new learner has not seen it, so redone steps use fresh prompt grains.
    /// Completion keys and group ids stay the same, so finished completions are reused and a group delivered twice is
    /// still refused as a duplicate.
    /// </param>
    /// <remarks>
    /// With dynamic_sampling, groups whose rewards were all equal come back filtered (the learner never saw them) and
    /// up to dynamic_sampling_max_rounds rounds of fresh prompts, drawn from seed, step and round, replace them until
    /// the step has prompts_per_step informative groups. The result holds filtered outcomes too, for the metrics.
    /// </remarks>
    async Task<(GroupOutcome[] Outcomes, double Seconds)> RolloutAsync(RunConfig config, long step, long minVersion, int restart)
    {
        var clock = Stopwatch.StartNew();
        var assets = assetsCache.Get(RunId, config);
        var pipeline = GrpoResilience.PromptCalls(logger);
        Task<GroupOutcome[]> Run(IReadOnlyList<Core.Tasks.TaskExample> examples, int firstIndex) =>
            Task.WhenAll(examples.Select((example, offset) => pipeline.ExecuteOnCallerContextAsync(_ =>
                GrainFactory.GetGrain<IPromptGrain>(GrainKeys.Prompt(RunId, step, firstIndex + offset, restart)).RunAsync(new PromptAssignment(
                    RunId, config, step, firstIndex + offset, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt), minVersion)))));

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
        await record.WriteStateAsync();
    }
}
