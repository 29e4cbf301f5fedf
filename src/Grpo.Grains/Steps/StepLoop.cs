using System.Diagnostics;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Runs;
using Grpo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Grpo.Grains.Steps;

/// <summary>
/// The run's step workflow: prompts out to prompt grains, their groups into the learner, one update per step, an
/// evaluation every eval_every steps, metrics and samples recorded. With max_staleness = k the rollouts of up to k
/// later steps run while the learner trains. The run grain drives it (one loop per learner initialisation) and keeps
/// everything else: activation, reminders, stop and resume, and what a failure means.
/// </summary>
/// <remarks>
/// Every await here continues on the grain's scheduler (no ConfigureAwait(false)): the loop changes the grain's record
/// between awaits, which is only safe on the grain's own turn.
/// </remarks>
internal sealed class StepLoop(IStepLoopHost host, RunConfig config, RunAssetsCache assetsCache, ILogger logger)
{
    string RunId => host.RunId;

    /// <summary>
    /// Initialises the learner, then trains from the record's next step until the last step, or until the host asks the
    /// loop to stop. A learner that lost steps (restored from an older checkpoint) has them redone.
    /// </summary>
    public async Task RunAsync(ILearnerGrain learner)
    {
        // Each loop gets its own prompt grain keys: see RunRecord.LoopGeneration.
        var generation = host.Record.LoopGeneration++;
        await host.SaveAsync();
        var ready = await learner.InitializeAsync(config);
        if (ready.CompletedSteps < host.Record.NextStep)
        {
            // The learner lost the steps since its last checkpoint: they are redone, and their old metrics dropped.
            logger.LogWarning("Run {Run}: the learner resumed at step {Completed}, the run was at {Next}; redoing the steps in between.",
                RunId, ready.CompletedSteps, host.Record.NextStep);
            host.Record.Metrics.RemoveAll(m => m.Step >= ready.CompletedSteps);
            host.Record.Samples.RemoveAll(s => s.Step >= ready.CompletedSteps);
            host.Record.NextStep = ready.CompletedSteps;
        }
        await host.UpdateStatusAsync(s => s with
        {
            State = RunState.Training, Phase = "training", BaselineAccuracy = ready.BaselineAccuracy ?? s.BaselineAccuracy,
            PolicyVersion = ready.PolicyVersion, Step = host.Record.NextStep, CheckpointStep = ready.CheckpointStep, CheckpointPath = ready.Checkpoint,
            CheckpointWarning = ready.CheckpointWarning,
        });

        var watch = new LearnerWatch(RunId, learner, ready.Lineage);
        var rollout = new StepRollout(RunId, config, host.GrainFactory, assetsCache, generation, ready.Lineage, logger);
        var inFlight = new Dictionary<long, Task<(GroupOutcome[] Outcomes, double Seconds)>>();
        for (var step = host.Record.NextStep; step < config.Steps && !host.ShouldStop; step++)
        {
            for (var ahead = step; ahead <= Math.Min(step + config.MaxStaleness, config.Steps - 1); ahead++)
                if (!inFlight.ContainsKey(ahead))
                    inFlight[ahead] = rollout.RunAsync(ahead, minVersion: Math.Max(0, ahead - config.MaxStaleness));

            var clock = Stopwatch.StartNew();
            var (outcomes, generateSeconds) = await watch.WhileLearnerLivesAsync(inFlight[step]);
            inFlight.Remove(step);
            var trainedStep = await watch.WhileLearnerLivesAsync(learner.TrainStepAsync(step, outcomes.Count(o => !o.Filtered)));
            double? accuracy = config.EvalEvery > 0 && (step + 1) % config.EvalEvery == 0 && step + 1 < config.Steps
                ? (await watch.WhileLearnerLivesAsync(learner.EvaluateAsync())).Accuracy
                : null;
            var metrics = StepRecord.Metrics(trainedStep.Metrics, outcomes, generateSeconds, clock.Elapsed.TotalSeconds, accuracy);
            host.Record.Metrics.Add(metrics);
            GrpoMetrics.RecordStep(RunId, metrics);
            // Before the step's state is written, so samples are persisted with it; a redone step replaces its samples.
            SampleLog.Append(host.Record.Samples, step, trainedStep.Samples);
            host.Record.NextStep = step + 1;
            await host.UpdateStatusAsync(s => metrics.Checkpoint is { } checkpoint
                ? s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion, CheckpointStep = metrics.PolicyVersion, CheckpointPath = checkpoint }
                : s with { Step = step + 1, PolicyVersion = metrics.PolicyVersion });
        }
    }
}
