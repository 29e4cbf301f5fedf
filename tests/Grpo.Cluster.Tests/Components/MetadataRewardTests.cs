using System.Globalization;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Core.Rewards;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Components;

/// <summary>A dataset's extra columns travel with each prompt to the rewards on the rollout silos.</summary>
public sealed class MetadataRewardTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("grpo-metadata-").FullName;

    /// <summary>Scores each completion with the number in its example's <c>bonus</c> column.</summary>
    sealed class BonusColumnReward : IRewardFunction
    {
        public string Name => "bonus_column";

        public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(input.Metadata is { } metadata && metadata.TryGetValue("bonus", out var bonus)
                ? float.Parse(bonus, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"the completion of '{input.Prompt}' arrived without its bonus column"));
    }

    [Fact]
    public async Task A_reward_on_a_rollout_silo_reads_the_other_columns_of_its_examples_csv_row()
    {
        var csv = Path.Combine(folder, "bonus.csv");
        File.WriteAllLines(csv, ["question,answer,bonus", .. Enumerable.Range(0, 40).Select(i => $"{i}+1=,{i + 1},{(i % 2 == 0 ? "0.25" : "0.75")}")]);
        var silo = new GrpoSiloOptions { Components = registries => registries.Rewards.Add<BonusColumnReward>("bonus_column") };
        await using var cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly with { Components = silo.Components }, GrpoTestCluster.RolloutOnly with { Components = silo.Components });
        var config = RunScenario.Fast(steps: 1) with
        {
            Task = new ComponentSpec("csv").WithParameter("path", csv),
            HeldOutSize = 4,
            Rewards = [new ComponentSpec("bonus_column")],
            WarmupSftSteps = 0,
        };
        var run = cluster.Client.GetGrain<IRunGrain>("metadata-run");

        await run.StartAsync(config);
        var status = await RunScenario.WaitForEndAsync(run, TimeSpan.FromMinutes(3));

        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        var step = Assert.Single(await run.GetMetricsAsync(0));
        // The reward throws for a completion without its row's bonus, which would have failed the run; every group
        // scores its own prompt's bonus, so the mean of 8 prompts is 0.25 plus a multiple of 0.5 / 8.
        Assert.InRange(step.MeanReward, 0.25f, 0.75f);
        var sixteenths = (step.MeanReward - 0.25f) * 16;
        Assert.Equal(MathF.Round(sixteenths), sixteenths, 3);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
