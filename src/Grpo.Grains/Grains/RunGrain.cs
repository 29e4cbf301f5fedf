using Orleans.Runtime;
using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Grains.Runs;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains;

/// <summary>
/// A training run: owns its durable state and drives the step loop — prompts out to prompt grains, their groups
/// into the learner, one update per step, metrics recorded. With max_staleness = k the rollouts of up to k later
/// steps run while the learner trains.
/// </summary>
public sealed class RunGrain(
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
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.State.Config is { } config && !record.State.Status.IsFinished)
        {
            logger.LogWarning("Run {Run} re-activated at step {Step}; continuing.", RunId, record.State.NextStep);
            loop = RunLoopAsync(config);
        }
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
            var ready = await learner.InitializeAsync(config);
            await UpdateStatusAsync(s => s with { State = RunState.Training, Phase = "training", BaselineAccuracy = ready.BaselineAccuracy, PolicyVersion = ready.PolicyVersion });

            var inFlight = new Dictionary<long, Task<(GroupOutcome[] Outcomes, double Seconds)>>();
            for (var step = record.State.NextStep; step < config.Steps && !stopRequested; step++)
            {
                for (var ahead = step; ahead <= Math.Min(step + config.MaxStaleness, config.Steps - 1); ahead++)
                    if (!inFlight.ContainsKey(ahead))
                        inFlight[ahead] = RolloutAsync(config, ahead, minVersion: Math.Max(0, ahead - config.MaxStaleness));

                var clock = Stopwatch.StartNew();
                var (outcomes, generateSeconds) = await inFlight[step];
                inFlight.Remove(step);
                var trainedStep = await learner.TrainStepAsync(step, outcomes.Length);
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
                record.State.NextStep = step + 1;
                await UpdateStatusAsync(s => s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion });
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

    async Task<(GroupOutcome[] Outcomes, double Seconds)> RolloutAsync(RunConfig config, long step, long minVersion)
    {
        var clock = Stopwatch.StartNew();
        var assets = assetsCache.Get(RunId, config);
        var examples = assets.Batch(step, config.PromptsPerStep);
        var pipeline = GrpoResilience.PromptCalls(logger);
        var outcomes = await Task.WhenAll(examples.Select((example, index) => pipeline.ExecuteOnCallerContextAsync(_ =>
            GrainFactory.GetGrain<IPromptGrain>(GrainKeys.Prompt(RunId, step, index)).RunAsync(new PromptAssignment(
                RunId, config, step, index, example.Prompt, example.Answer, assets.Codec.EncodePrompt(example.Prompt), minVersion)))));
        return (outcomes, clock.Elapsed.TotalSeconds);
    }

    async Task UpdateStatusAsync(Func<RunStatus, RunStatus> change)
    {
        record.State.Status = change(record.State.Status);
        await record.WriteStateAsync();
    }
}
