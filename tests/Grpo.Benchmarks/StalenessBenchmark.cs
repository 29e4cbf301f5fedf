using Grpo.Abstractions.Configuration;

namespace Grpo.Benchmarks;

/// <summary>
/// Steps/hour of the demo run (the built-in configuration, seed 0, 70 steps, without the supervised warm-up, which
/// only the learner runs, before the first step, and which takes minutes on one core) with max_staleness 0, 1, 2 and 0
/// again, on a learner silo process pinned to core 0 and a rollout silo process pinned to core 1, one torch thread each.
/// With max_staleness 0 the two take turns (the rollouts wait for each new version, the learner for each step's groups);
/// above 0 the rollouts generate the next steps from the previous version while the learner trains. The clock runs
/// from the end of the first <see cref="SkippedSteps"/> steps to the end of the last; the evaluation at step 50 is inside.
/// </summary>
internal static class StalenessBenchmark
{
    const int SkippedSteps = 10;
    // max_staleness 0 first and last: the machine's load drifts while the runs go on, and the mean of the two brackets it.
    static readonly int[] Stalenesses = [0, 1, 2, 0];
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    public static async Task<List<StalenessFigure>> RunAsync(bool quick, TextWriter log)
    {
        var skipped = quick ? 1 : SkippedSteps;
        var steps = quick ? 4 : SkippedSteps + 60;
        var figures = new List<StalenessFigure>();
        await using var cluster = await ProcessCluster.StartAsync(learnerCore: 0, [1], metrics: false);
        log.WriteLine($"  {cluster.Describe()}");
        foreach (var (staleness, index) in Stalenesses.Select((staleness, index) => (staleness, index)))
        {
            // The quick form also skips the evaluations, which take longer than its few steps.
            var config = new RunConfig { Seed = 0, Steps = steps, MaxStaleness = staleness, WarmupSftSteps = 0 };
            if (quick) config = config with { HeldOutSize = 16, EvalEvery = 0 };
            var run = new ClusterRun(cluster, $"bench-staleness-{staleness}-{index}");
            await run.StartAsync(config);
            var from = await run.WaitForStepAsync(skipped, RunTimeout);
            var load = LoadAverage.Now();
            var to = await run.WaitForStepAsync(steps, RunTimeout);
            var loadSpan = LoadAverage.Span(load);
            var status = await run.WaitForCompletionAsync(RunTimeout);
            var measured = (await run.MetricsAsync(skipped)).Where(step => step.Step < steps).ToArray();
            var seconds = to - from;
            var figure = new StalenessFigure(staleness, skipped, steps - skipped, seconds, (steps - skipped) / seconds * 3600,
                measured.Average(step => step.GenerateSeconds), measured.Average(step => step.TrainSeconds), status.FinalAccuracy, loadSpan);
            figures.Add(figure);
            log.WriteLine($"  max_staleness {staleness}: {figure.MeasuredSteps} steps in {seconds:0.0} s = {figure.StepsPerHour:0} steps/hour " +
                          $"(mean generate {figure.MeanGenerateSeconds:0.000} s, train {figure.MeanTrainSeconds:0.000} s per step), load {loadSpan}");
        }
        return figures;
    }
}
