using Grpo.Abstractions.Configuration;
using Grpo.Testing;

namespace Grpo.Benchmarks;

/// <summary>
/// The learner's egress per policy version with 1, 2 and 4 rollout silo processes (not pinned), all pulling every version
/// of a short training run (max_staleness 0: each step needs the newest version on every silo that generates for it).
/// The silos export their metrics for Prometheus; the learner silo's served bytes (grpo.source learner) over the bytes
/// of the versions the rollouts pulled is the number of images it sent per version, the rest came from relays. Measured on the demo
/// preset (whose image fits in one chunk) and on the small preset (about ten chunks of 4 MiB).
/// </summary>
internal static class EgressScaleOutBenchmark
{
    static readonly int[] SiloCounts = [1, 2, 4];
    static readonly string[] Presets = [BenchRuns.DemoPreset, "small"];
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);
    static readonly TimeSpan ScrapeSettleTimeout = TimeSpan.FromSeconds(30);

    public static async Task<List<EgressScaleOutFigure>> RunAsync(bool quick, TextWriter log)
    {
        var figures = new List<EgressScaleOutFigure>();
        foreach (var silos in SiloCounts)
        {
            await using var cluster = await ProcessCluster.StartAsync(learnerCore: null, [.. Enumerable.Repeat<int?>(null, silos)], metrics: true);
            foreach (var preset in Presets)
            {
                var load = LoadAverage.Now();
                var figure = await MeasureAsync(cluster, preset, silos, quick ? 2 : 6);
                figures.Add(figure with { Load = LoadAverage.Span(load) });
                log.WriteLine($"  {preset}, {silos} rollout silo(s): {figure.Versions} versions pulled of {figure.ImageMegabytes:0.0} MB, learner egress " +
                              $"{figure.LearnerImagesPerVersion:0.00} images per version, relayed {figure.RelayedImagesPerVersion:0.00}, run {figure.Seconds:0} s, load {figures[^1].Load}");
            }
        }
        return figures;
    }

    /// <summary>
    /// Short completions, no reference model, no warm-up or evaluation: the run exists to publish versions, and 64
    /// completions per step spread at random leave no rollout silo without one.
    /// </summary>
    static RunConfig Config(string preset, int steps) => new()
    {
        ModelPreset = preset,
        Steps = steps,
        PromptsPerStep = 16,
        GroupSize = 4,
        MinibatchSize = 64,
        Beta = 0,
        WarmupSftSteps = 0,
        HeldOutSize = 16,
        EvalEvery = 0,
    };

    static async Task<EgressScaleOutFigure> MeasureAsync(ProcessCluster cluster, string preset, int silos, int steps)
    {
        var run = new ClusterRun(cluster, $"bench-egress-{preset}-{silos}");
        await run.StartAsync(Config(preset, steps));
        await run.WaitForCompletionAsync(RunTimeout);
        var seconds = await run.WaitForStepAsync(steps, RunTimeout);
        var learnerPort = cluster.Learner.MetricsPort ?? throw new InvalidOperationException("the learner silo exports no metrics.");
        (string, string) runLabel = ("grpo_run", run.RunId);

        // The exporter answers a scrape from a cached page for a moment: read until the learner shows every version published.
        var deadline = DateTime.UtcNow + ScrapeSettleTimeout;
        PrometheusScrape learner;
        while (true)
        {
            learner = await PrometheusScrape.ReadAsync(learnerPort);
            if (learner.Sum("grpo.weights.publications", runLabel) >= steps + 1) break;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the learner silo's metrics show {learner.Sum("grpo.weights.publications", runLabel)} publications of run " +
                                                    $"{run.RunId} after its {steps} steps; expected {steps + 1}.");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        var versions = (long)learner.Sum("grpo.weights.publications", runLabel);
        var published = learner.Sum("grpo.weights.published_bytes", runLabel);
        var egress = learner.Sum("grpo.weights.served_bytes", runLabel, ("grpo_source", "learner"));
        var relayed = 0.0;
        foreach (var rollout in cluster.Rollouts)
            relayed += (await PrometheusScrape.ReadAsync(rollout.MetricsPort!.Value)).Sum("grpo.weights.served_bytes", runLabel, ("grpo_source", "relay"));
        // The version published after the last step is pulled by nobody: the versions the rollouts needed are the others.
        var image = published / versions;
        var pulledVersions = versions - 1;
        return new EgressScaleOutFigure(preset, silos, pulledVersions, image / 1e6, egress / image / pulledVersions, relayed / image / pulledVersions, seconds, "");
    }
}
