using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Client;
using Grpo.Core.Tests.HfModels;
using Xunit.Abstractions;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>Whole runs through the real grains: a Hugging Face model directory on GSM8K-style data, and dynamic sampling.</summary>
public sealed class ModelDirectoryRunTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    readonly TemporaryFolder folder = new();

    [Fact]
    public async Task A_tiny_qwen3_directory_trains_on_gsm8k_lines_with_bf16_rollouts_and_finishes()
    {
        var model = System.IO.Path.Combine(folder.Path, "qwen3");
        using (TinyHfModel.Write(model, "qwen3")) { }
        var dataset = folder.File("gsm8k.jsonl", string.Join("\n", Enumerable.Range(1, 10).Select(i =>
            $$"""{"question": "Ann has {{i}} pens and finds {{i}} more. How many pens?", "answer": "{{i}} + {{i}} = {{2 * i}}\n#### {{2 * i}}"}""")));
        var config = new RunConfig
        {
            ModelPath = model,
            Task = new ComponentSpec("gsm8k").WithParameter("path", dataset),
            SystemPrompt = "Reason briefly, then write #### and the number.",
            EnableThinking = false,
            StopStrings = ["\n\n"],
            ComputeDtype = "bfloat16",
            Rewards =
            [
                new ComponentSpec("answer").WithParameter("weight", 1),
                new ComponentSpec("format").WithParameter("weight", 0.1),
                new ComponentSpec("length").WithParameter("weight", 0.2),
            ],
            Steps = 3,
            PromptsPerStep = 2,
            GroupSize = 4,
            MaxCompletionTokens = 8,
            MinibatchSize = 8,
            HeldOutSize = 2,
            EvalEvery = 0,
            CompletionTimeoutSeconds = 60,
        };
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        var run = cluster.Client.GetGrain<IRunGrain>("hf-gsm8k-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        output.WriteLine(string.Join("\n", metrics.Select(m => $"step {m.Step}: reward {m.MeanReward:F3}, loss {m.Loss:F4}, kl {m.MeanKl:F5}, {m.GeneratedTokens} tokens")));
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        RunScenario.AssertEveryStepTrainedOnce(config, metrics);
        Assert.All(metrics, m => Assert.InRange(m.GeneratedTokens, config.PromptsPerStep * config.GroupSize, config.PromptsPerStep * config.GroupSize * 8));
    }

    [Fact]
    public async Task Dynamic_sampling_replaces_groups_of_equal_rewards_and_never_trains_them()
    {
        // Neither the arithmetic alphabet nor its special tokens hold a '?': every reward is 0, so every group is held back.
        var config = RunScenario.Fast(steps: 3) with
        {
            PromptsPerStep = 2,
            GroupSize = 4,
            WarmupSftSteps = 0,
            HeldOutSize = 4,
            DynamicSampling = true,
            DynamicSamplingMaxRounds = 2,
            Rewards = [new ComponentSpec("format").WithParameter("pattern", @"\?")],
        };
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly);
        var run = cluster.Client.GetGrain<IRunGrain>("dynamic-sampling-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, RunTimeout);
        var metrics = await run.GetMetricsAsync(0);

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal([0L, 1, 2], metrics.Select(m => m.Step));
        Assert.Equal([1L, 2, 3], metrics.Select(m => m.PolicyVersion));
        // The first B prompts and two replacement rounds of B each were sampled; the learner trained none of them.
        Assert.All(metrics, m => Assert.Equal(config.PromptsPerStep * config.GroupSize * (1 + config.DynamicSamplingMaxRounds), m.CompletionsBySilo.Values.Sum()));
        Assert.All(metrics, m => Assert.Equal(0, m.Completions));
        Assert.All(metrics, m => Assert.Equal(1f, m.FractionZeroStd));
    }

    public void Dispose() => folder.Dispose();
}
