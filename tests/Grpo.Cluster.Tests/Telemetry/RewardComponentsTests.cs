using Grpo.Abstractions.Configuration;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Core.Rewards;
using Grpo.Grains.Telemetry;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>
/// A run whose reward weighs two functions reports the mean of each per step, in its step metrics and on the meter, from
/// the scores of the step's completions.
/// </summary>
public sealed class RewardComponentsTests
{
    // Some completions of an untrained policy end in an even digit, some do not; hardly any is right, so the two
    // components differ.
    const string EndsInAnEvenDigit = @"[02468]\s*\z";

    [Fact]
    public async Task A_run_with_two_weighted_reward_components_reports_the_mean_of_each_per_step()
    {
        const string runId = "components-run";
        var measured = new ConcurrentQueue<(double Mean, string? Component)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpoMetrics.MeterName && instrument.Name == "grpo.step.reward.component") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? run = null, component = null;
            foreach (var tag in tags)
            {
                if (tag.Key == GrpoMetrics.RunTag) run = tag.Value as string;
                if (tag.Key == GrpoMetrics.ComponentTag) component = tag.Value as string;
            }
            if (run == runId) measured.Enqueue((value, component));
        });
        listener.Start();

        await using var cluster = await GrpoTestCluster.StartAsync(new GrpoSiloOptions());
        var config = RunScenario.Fast(steps: 3) with
        {
            WarmupSftSteps = 0,
            Rewards = [new ComponentSpec("answer"), new ComponentSpec("format").WithParameter("weight", 0.5).WithParameter("pattern", EndsInAnEvenDigit)],
            // Every group of every step is kept, so the samples hold every completion the metrics average over.
            LogSamplesEvery = 1,
            LogSamplesPrompts = 8,
        };
        var run = cluster.Client.GetGrain<IRunGrain>(runId);

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, TimeSpan.FromMinutes(6));
        var metrics = await run.GetMetricsAsync(0);
        var samples = await run.GetSamplesAsync(0);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        var answer = new ExactMatchReward();
        var format = new FormatReward(EndsInAnEvenDigit);
        foreach (var step in metrics)
        {
            var completions = samples.Where(s => s.Step == step.Step).SelectMany(s => s.Completions.Select(c => (Input: new RewardInput(s.Prompt, c.Text, s.Answer), c.Reward))).ToArray();
            Assert.Equal(config.PromptsPerStep * config.GroupSize, completions.Length);
            var answers = await Task.WhenAll(completions.Select(c => answer.ScoreAsync(c.Input).AsTask()));
            var formats = await Task.WhenAll(completions.Select(c => format.ScoreAsync(c.Input).AsTask()));

            Assert.Equal(["answer", "format"], step.RewardComponents.Keys.Order());
            Assert.Equal(answers.Average(), step.RewardComponents["answer"], 6);
            Assert.Equal(formats.Average(), step.RewardComponents["format"], 6);
            Assert.Equal(step.RewardComponents["answer"] + 0.5 * step.RewardComponents["format"], step.MeanReward, 5);
            Assert.All(completions.Select((c, i) => (c.Reward, Weighted: answers[i] + 0.5f * formats[i])), c => Assert.Equal(c.Weighted, c.Reward, 6));
        }
        // The two components are scored apart, not copied from one another.
        Assert.Contains(metrics, m => m.RewardComponents["answer"] != m.RewardComponents["format"]);

        Assert.Equal(metrics.Select(m => m.RewardComponents["answer"]), measured.Where(m => m.Component == "answer").Select(m => m.Mean));
        Assert.Equal(metrics.Select(m => m.RewardComponents["format"]), measured.Where(m => m.Component == "format").Select(m => m.Mean));
    }
}
