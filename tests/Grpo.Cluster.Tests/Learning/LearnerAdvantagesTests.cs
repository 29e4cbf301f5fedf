using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Cluster.Tests.Runs;
using Grpo.Grains.Runs;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Learning;

/// <summary>
/// The learner grain turns the rewards of a step's groups into advantages itself, over all the groups at once, and
/// reports the ones it trained its kept samples with. Groups of three with rewards g0 = [1, 2, 3] and g1 = [0, 0, 3];
/// the expected advantages are worked by hand (see StepAdvantagesTests).
/// </summary>
public sealed class LearnerAdvantagesTests
{
    [Fact]
    public async Task The_learner_trains_each_scaling_with_advantages_computed_over_the_whole_step()
    {
        await using var cluster = await GrpoTestCluster.StartAsync(new GrpoSiloOptions());

        var group = await TrainOneStepAsync(cluster, "group-scaled", "group");
        var batch = await TrainOneStepAsync(cluster, "batch-scaled", "batch");

        AllClose([-0.99990001, 0, 0.99990001, -0.57731694, -0.57731694, 1.15463388], group);
        // Divided by the std of all six rewards: a learner scaling each group by its own spread would train the numbers above.
        AllClose([-0.72542362, 0, 0.72542362, -0.72542362, -0.72542362, 1.45084724], batch);
    }

    /// <summary>Submits the two groups as prompt grains would and trains step 0; the advantages of its samples, group after group.</summary>
    static async Task<float[]> TrainOneStepAsync(GrpoTestCluster cluster, string runId, string scale)
    {
        var config = RunScenario.Fast(steps: 2) with
        {
            PromptsPerStep = 2, GroupSize = 3, WarmupSftSteps = 0, LogSamplesEvery = 1, LogSamplesPrompts = 2, AdvantageEstimator = new ComponentSpec("grpo").WithParameter("scale", scale),
        };
        var assets = RunAssets.Create(config);
        var learner = cluster.Client.GetGrain<ILearnerGrain>(runId);
        var ready = await learner.InitializeAsync(config);
        float[][] rewards = [[1f, 2f, 3f], [0f, 0f, 3f]];
        for (var promptIndex = 0; promptIndex < rewards.Length; promptIndex++)
        {
            var example = assets.Train[promptIndex];
            var completions = rewards[promptIndex].Select((reward, i) => new CompletionResult(
                GrainKeys.Completion(runId, 0, promptIndex, i), assets.Codec.EncodeTarget("3"), [-0.5f, -0.7f], 0, reward, false, "3", "silo")
            {
                Lineage = ready.Lineage,
            }).ToArray();
            var submitted = await learner.SubmitGroupAsync(new ScoredGroup(runId, 0, promptIndex, assets.Codec.EncodePrompt(example.Prompt), completions)
            {
                Prompt = example.Prompt,
                Answer = example.Answer,
            });
            Assert.Equal(GroupAcceptance.Accepted, submitted.Acceptance);
        }

        var trained = await learner.TrainStepAsync(0, expectedGroups: 2);

        Assert.Equal(6, trained.Metrics.Completions);
        Assert.Equal([0, 1], trained.Samples.Select(s => s.PromptIndex));
        Assert.Equal(rewards.SelectMany(r => r), trained.Samples.SelectMany(s => s.Completions.Select(c => c.Reward)));
        Assert.Equal(assets.Train[1].Prompt, trained.Samples[1].Prompt);
        return [.. trained.Samples.SelectMany(s => s.Completions.Select(c => c.Advantage))];
    }

    static void AllClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"advantage {i}: expected {expected[i]}, got {actual[i]}");
    }
}
