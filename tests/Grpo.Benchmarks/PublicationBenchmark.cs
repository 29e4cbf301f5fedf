using System.Diagnostics;
using Grpo.Abstractions.Grains;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;
using Microsoft.Extensions.DependencyInjection;

namespace Grpo.Benchmarks;

/// <summary>
/// Weight publication between two silos on loopback: a learner-only silo publishes the policy, a rollout-only silo
/// pulls it with the rollout engine's puller (chunks over Orleans messaging, length and SHA-256 checks), as a rollout
/// silo does after every step. The full form uses the 50M preset, whose float32 image is about 200 MB.
/// Then the learner's egress with relays: 1, 2 and 4 rollout silos pull a version of a fresh run at once, each through
/// its silo's own weight source (which relays), and the learner's publication counts the bytes it sent.
/// </summary>
internal static class PublicationBenchmark
{
    const string RunId = "bench-publish";

    public static async Task<PublicationReport> RunAsync(bool quick, TextWriter log)
    {
        var config = BenchRuns.Config(quick ? "small" : BenchRuns.LargePreset);
        using var folder = new BenchFolder();
        await using var learnerSilo = await BenchSilo.StartAsync(rollout: false, learner: true, folder.Path);
        await using var rolloutSilo = await BenchSilo.StartAsync(rollout: true, learner: false, folder.Path, primary: learnerSilo.Endpoint);
        // Asked from the rollout silo, so the learner grain (placed on the learner silo) is remote to every pull below.
        var ready = await rolloutSilo.Grains.GetGrain<ILearnerGrain>(RunId).InitializeAsync(config);
        var puller = new WeightPuller(new LearnerWeightSource(rolloutSilo.Grains), new RolloutEngineOptions().PullParallelism);
        log.WriteLine($"publish {config.ModelPreset}: {ready.ParameterCount / 1e6:0.0}M parameters, chunks of {config.WeightChunkBytes / 1e6:0.0} MB, " +
                      $"learner silo {learnerSilo.Endpoint}, rollout silo {rolloutSilo.Endpoint}");

        var pulled = await puller.PullAsync(RunId, 0, TimeSpan.Zero, loaded: null, CancellationToken.None);
        var megabytes = pulled!.Image.TotalBytes / 1e6;
        var rates = new List<double>();
        var cpuSeconds = new List<double>();
        var pulls = quick ? 1 : 3;
        for (var i = 0; i < pulls; i++)
        {
            var pull = await StageFigure.MeasureAsync(megabytes, () => puller.PullAsync(RunId, 0, TimeSpan.Zero, loaded: null, CancellationToken.None));
            rates.Add(pull.MegabytesPerSecond);
            cpuSeconds.Add(pull.CpuSeconds);
            log.WriteLine($"  pull {i + 1}: {megabytes:0.0} MB {pull}");
        }
        var median = rates.Order().ElementAt(rates.Count / 2);
        var stages = await MeasureStagesAsync(rolloutSilo.Grains, pulled.Image, log);
        var egress = await MeasureEgressAsync(learnerSilo, rolloutSilo, folder.Path, config, log);
        return new PublicationReport(config.ModelPreset, megabytes, config.WeightChunkBytes, pulls, median, rates, egress) { Stages = stages, PullCpuSeconds = cpuSeconds };
    }

    static readonly int[] PullerCounts = [1, 2, 4];

    /// <summary>
    /// Where a pull's time goes: the SHA-256 of the image alone, and fetching every chunk from the learner with no
    /// hashing, one at a time (each chunk call's round trip: serving, serialising, the socket and deserialising) and as
    /// many at once as a puller asks. Each with the CPU time the process spent (both silos live in it): on a machine
    /// shared with other work the wall time swings with their load, the CPU time much less.
    /// </summary>
    static async Task<PublicationStages> MeasureStagesAsync(IGrainFactory grains, Core.Checkpoints.WeightImage image, TextWriter log)
    {
        var megabytes = image.TotalBytes / 1e6;
        var hash = await StageFigure.MeasureAsync(megabytes, () => { image.Sha256(); return Task.CompletedTask; });
        var source = new LearnerWeightSource(grains);
        var manifest = await source.GetManifestAsync(RunId, 0, TimeSpan.Zero, CancellationToken.None);
        Task Fetch(int parallelism) =>
            Parallel.ForEachAsync(Enumerable.Range(0, manifest.ChunkCount), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                async (index, token) => await source.GetChunkAsync(RunId, manifest.Version, index, token));
        var parallelism = new RolloutEngineOptions().PullParallelism;
        var stages = new PublicationStages(hash, await StageFigure.MeasureAsync(megabytes, () => Fetch(1)), parallelism,
            await StageFigure.MeasureAsync(megabytes, () => Fetch(parallelism)));
        log.WriteLine($"  stages: SHA-256 alone {stages.Hash}; chunks fetched without hashing, one at a time {stages.SerialFetch}, " +
                      $"{parallelism} at a time {stages.ParallelFetch}");
        return stages;
    }

    static async Task<List<EgressFigure>> MeasureEgressAsync(BenchSilo learnerSilo, BenchSilo firstRollout, string folder,
        Abstractions.Configuration.RunConfig config, TextWriter log)
    {
        var rollouts = new List<BenchSilo> { firstRollout };
        var figures = new List<EgressFigure>();
        try
        {
            while (rollouts.Count < PullerCounts.Max())
                rollouts.Add(await BenchSilo.StartAsync(rollout: true, learner: false, folder, primary: learnerSilo.Endpoint));
            foreach (var pullers in PullerCounts)
            {
                // A run of its own per count: its learner publishes a version none of the silos has asked for yet.
                var runId = $"{RunId}-egress-{pullers}";
                await firstRollout.Grains.GetGrain<ILearnerGrain>(runId).InitializeAsync(config);
                var publication = learnerSilo.Services.GetRequiredService<SiloPublications>().Find(runId)
                    ?? throw new InvalidOperationException($"the learner silo holds no publication of run '{runId}' after its initialisation.");
                var clock = Stopwatch.StartNew();
                var images = await Task.WhenAll(rollouts.Take(pullers).Select(silo =>
                    new WeightPuller(silo.Services.GetRequiredService<IWeightSource>(), new RolloutEngineOptions().PullParallelism)
                        .PullAsync(runId, 0, TimeSpan.Zero, loaded: null, CancellationToken.None)));
                var seconds = clock.Elapsed.TotalSeconds;
                var imageBytes = images[0]!.Image.TotalBytes;
                figures.Add(new EgressFigure(pullers, (double)publication.ServedBytes / imageBytes, seconds));
                log.WriteLine($"  {pullers} rollout silo(s) pulling at once: learner egress {figures[^1].LearnerImages:0.00} images, all pulls done in {seconds:0.000} s");
            }
        }
        finally
        {
            foreach (var silo in rollouts.Skip(1)) await silo.DisposeAsync();
        }
        return figures;
    }
}
