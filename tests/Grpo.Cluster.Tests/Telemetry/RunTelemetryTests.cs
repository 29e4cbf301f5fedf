using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Core.Algorithm;
using Grpo.Grains.Telemetry;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>
/// One short run on an in-process silo, observed three ways: the Grpo.Orleans instruments (through a MeterListener),
/// the periodic held-out evaluation in the step metrics, and the samples the run keeps.
/// </summary>
public sealed class RunTelemetryTests
{
    private sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    [Fact]
    public async Task A_run_records_its_instruments_periodic_evaluation_and_samples()
    {
        const string runId = "telemetry-run";
        var measured = new ConcurrentQueue<Measured>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpoMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Enqueue(new(instrument.Name, value, Copy(tags))));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Enqueue(new(instrument.Name, value, Copy(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measured.Enqueue(new(instrument.Name, value, Copy(tags))));
        listener.Start();

        await using var cluster = await GrpoTestCluster.StartAsync(new GrpoSiloOptions());
        var config = RunScenario.Fast(steps: 5) with { WarmupSftSteps = 0, EvalEvery = 2, LogSamplesEvery = 2, LogSamplesPrompts = 2 };
        var run = cluster.Client.GetGrain<IRunGrain>(runId);

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, TimeSpan.FromMinutes(3));
        var metrics = await run.GetMetricsAsync(0);
        var samples = await run.GetSamplesAsync(0);
        listener.RecordObservableInstruments();

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);

        // Periodic evaluation: after every eval_every-th step except the last, which the final evaluation covers.
        Assert.Equal([false, true, false, true, false], metrics.Select(m => m.HeldOutAccuracy is not null));

        // Samples: the first two prompts of steps 0, 2 and 4, with rewards and their group-relative advantages.
        Assert.Equal([(0L, 0), (0L, 1), (2L, 0), (2L, 1), (4L, 0), (4L, 1)], samples.Select(s => (s.Step, s.PromptIndex)));
        Assert.All(samples, sample =>
        {
            Assert.Equal(config.GroupSize, sample.Completions.Length);
            Assert.EndsWith("=", sample.Prompt);
            Assert.NotNull(sample.Answer);
            var rewards = sample.Completions.Select(c => c.Reward).ToArray();
            Assert.Equal(new GrpoAdvantageEstimator().Compute(rewards, config.GroupSize).Advantages, sample.Completions.Select(c => c.Advantage));
            Assert.All(sample.Completions, c => Assert.Equal(sample.Step, c.PolicyVersion));
        });
        Assert.Equal([2L, 4L], (await run.GetSamplesAsync(1)).Select(s => s.Step).Distinct());

        // Instruments, recorded where the work happens, all tagged with the run.
        var ofRun = measured.Where(m => Equals(m.Tags.GetValueOrDefault(GrpoMetrics.RunTag), runId)).ToArray();
        double[] Values(string name, string? phase = null) => ofRun
            .Where(m => m.Instrument == name && (phase is null || Equals(m.Tags.GetValueOrDefault(GrpoMetrics.PhaseTag), phase)))
            .Select(m => m.Value).ToArray();

        Assert.Equal(metrics.Select(m => (double)m.MeanReward), Values("grpo.step.reward"));
        Assert.Equal(metrics.Select(m => (double)m.MeanKl), Values("grpo.step.kl"));
        Assert.Equal(metrics.Select(m => (double)m.ClipFraction), Values("grpo.step.clip_fraction"));
        Assert.Equal(metrics.Select(m => (double)m.MaxStaleness), Values("grpo.step.staleness"));
        Assert.Equal(metrics.Select(m => m.TokensPerSecond), Values("grpo.step.tokens_per_second"));
        Assert.Equal(metrics.Select(m => m.StepSeconds), Values("grpo.step.duration"));
        Assert.Equal(metrics.Sum(m => (double)m.GeneratedTokens), Values("grpo.step.tokens").Sum());
        Assert.Equal(metrics.Where(m => m.HeldOutAccuracy is not null).Select(m => m.HeldOutAccuracy!.Value), Values("grpo.eval.accuracy"));
        Assert.Equal(metrics.Select(m => m.GenerateSeconds), Values("grpo.step.phase.duration", GrpoMetrics.Phases.Generate));
        Assert.Equal(config.Steps, Values("grpo.step.phase.duration", GrpoMetrics.Phases.Train).Length);
        Assert.Equal(config.Steps, Values("grpo.step.phase.duration", GrpoMetrics.Phases.Publish).Length);
        Assert.Equal(config.Steps * config.PromptsPerStep * config.GroupSize, Values("grpo.step.phase.duration", GrpoMetrics.Phases.Score).Length);
        Assert.All(Values("grpo.step.phase.duration"), seconds => Assert.True(seconds >= 0));

        // The silo's rollout engine reports its queue and the tokens it generated under its own name.
        var engine = "grpo-rollout@" + cluster.Cluster.Silos[0].SiloAddress;
        var ofEngine = measured.Where(m => Equals(m.Tags.GetValueOrDefault(GrpoMetrics.EngineTag), engine)).ToArray();
        Assert.Equal(0, Assert.Single(ofEngine, m => m.Instrument == "grpo.rollout.queue_depth").Value);
        Assert.Equal(metrics.Sum(m => (double)m.GeneratedTokens), Assert.Single(ofEngine, m => m.Instrument == "grpo.rollout.tokens").Value);
        Assert.True(Assert.Single(ofEngine, m => m.Instrument == "grpo.rollout.batches").Value >= config.Steps);
    }

    [Fact]
    public async Task The_run_reports_the_learners_warm_up_as_it_goes()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(new GrpoSiloOptions());
        var config = RunScenario.Fast(steps: 2) with { WarmupSftSteps = 30, WarmupSftTargetAccuracy = 0 };
        var run = cluster.Client.GetGrain<IRunGrain>("activity-run");

        await run.StartAsync(config);
        var seen = new List<LearnerActivity>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!(await run.GetStatusAsync()).IsFinished && DateTime.UtcNow < deadline)
        {
            if (await run.GetActivityAsync() is { } activity) seen.Add(activity);
            await Task.Delay(50);
        }

        var status = await run.GetStatusAsync();
        Assert.True(status.State == RunState.Completed,
            $"run {status.State} ({status.Phase}); activities seen: {string.Join(", ", seen.TakeLast(5).Select(a => $"{a.Action} {a.Done}/{a.Total}"))}");
        var warmup = seen.Where(a => a.Action.StartsWith("supervised warm-up (loss ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(warmup);
        Assert.All(warmup, a => Assert.Equal(30, a.Total));
        Assert.All(warmup, a => Assert.InRange(a.Done, 1, 30));
        Assert.True(warmup.Select(a => a.Done).SequenceEqual(warmup.Select(a => a.Done).Order()), "warm-up progress only moves forward");
        Assert.Null(await run.GetActivityAsync());
    }

    private static Dictionary<string, object?> Copy(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        return copy;
    }
}
