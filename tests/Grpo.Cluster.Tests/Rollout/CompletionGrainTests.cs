using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class CompletionGrainTests(RolloutClusterFixture fixture) : IClassFixture<RolloutClusterFixture>
{
    const string Run = "grain-run";

    [Fact]
    public async Task A_completion_grain_generates_decodes_and_scores_on_its_silo()
    {
        var image = TinyPolicy.Image(seed: 1);
        fixture.Weights.Publish(Run, 1, WeightImage.Copy(image, 64 * 1024));
        var config = TinyPolicy.Config with { TopK = 1 };
        var assets = TinyPolicy.Assets(config);
        var example = assets.Train[0];
        var prompt = assets.Codec.EncodePrompt(example.Prompt);
        var expected = TinyPolicy.DirectGreedy(image, [prompt], config)[0];
        var expectedText = assets.Codec.DecodeCompletion(expected.Tokens);

        var matchingKey = GrainKeys.Completion(Run, 0, 0, 0);
        var otherKey = GrainKeys.Completion(Run, 0, 0, 1);
        var matching = await fixture.Cluster.Client.GetGrain<ICompletionGrain>(matchingKey)
            .GenerateAsync(new CompletionRequest(Run, config, example.Prompt, expectedText, prompt, 1));
        var other = await fixture.Cluster.Client.GetGrain<ICompletionGrain>(otherKey)
            .GenerateAsync(new CompletionRequest(Run, config, example.Prompt, expectedText + "9", prompt, 1));

        Assert.Equal(matchingKey, matching.Key);
        Assert.Equal(otherKey, other.Key);
        Assert.Equal(expected.Tokens, matching.Tokens);
        Assert.Equal(expected.Tokens.Length, matching.LogProbs.Length);
        Assert.Equal(1, matching.PolicyVersion);
        Assert.Equal(expectedText, matching.Text);
        Assert.Equal(expected.FinishReason == FinishReason.Length, matching.Truncated);
        Assert.Equal(1f, matching.Reward);
        Assert.Equal(0f, other.Reward);
        // The run's reward combines no functions (rewards is the answer alone): it is its own single component.
        var component = Assert.Single(matching.RewardComponents);
        Assert.Equal(("answer", 1f), (component.Key, component.Value));
        Assert.Equal(fixture.Cluster.Silos.Single().SiloAddress.ToString(), matching.Silo);
    }

    [Fact]
    public async Task A_completion_the_engine_cannot_serve_in_time_fails_as_a_timeout_that_names_the_setting_not_as_a_cancellation()
    {
        const string run = "late-run";
        fixture.Weights.Publish(run, 1, WeightImage.Copy(TinyPolicy.Image(seed: 1), 64 * 1024));
        var config = TinyPolicy.Config with { CompletionTimeoutSeconds = 1 };
        var assets = TinyPolicy.Assets(config);
        var prompt = assets.Codec.EncodePrompt(assets.Train[0].Prompt);

        // Version 5 is never published: the engine waits for it (its policy wait limit is longer than the timeout).
        var key = GrainKeys.Completion(run, 0, 0, 0);
        var failure = await Assert.ThrowsAsync<TimeoutException>(() =>
            fixture.Cluster.Client.GetGrain<ICompletionGrain>(key).GenerateAsync(new CompletionRequest(run, config, assets.Train[0].Prompt, "", prompt, 5)));
        Assert.Contains("completion_timeout_seconds = 1 s", failure.Message);
        Assert.Contains(key, failure.Message);
    }
}
