using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;
using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEngineContinuousTests
{
    const string Run = "continuous-run";

    [Fact]
    public async Task A_request_arriving_while_another_decodes_joins_a_free_slot_and_finishes_first()
    {
        var image = TinyPolicy.Image(seed: 1);
        var config = TinyPolicy.Config with { MaxCompletionTokens = 160, TopK = 1, RolloutMaxBatch = 4, RolloutBatchWaitMs = 0 };
        var prompts = Enumerable.Range(0, 24).Select(i => TinyPolicy.Prompt(i, config)).ToArray();
        // Top-k 1 is greedy, so the direct run tells which prompts decode to the limit and which stop early.
        var direct = TinyPolicy.DirectGreedy(image, prompts, config);
        var longIndex = Array.IndexOf(direct, direct.MaxBy(sequence => sequence.Tokens.Length));
        var shortIndex = Array.FindIndex(direct, sequence => sequence.Tokens.Length <= 8);
        Assert.True(direct[longIndex].Tokens.Length >= 60 && shortIndex >= 0,
            $"the test needs a prompt that decodes 60 tokens or more and one that stops within 8: lengths {string.Join(", ", direct.Select(d => d.Tokens.Length))}");

        var source = new FakeWeightSource();
        source.Publish(Run, 1, image);
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());
        await engine.GenerateAsync(Run, config, prompts[shortIndex], 0, CancellationToken.None);
        var before = engine.Stats;

        var longRequest = engine.GenerateAsync(Run, config, prompts[longIndex], 0, CancellationToken.None);
        await RolloutEngineBatchingTests.WaitUntilAsync(() => engine.Stats.Admissions > before.Admissions);
        var shortOutput = await engine.GenerateAsync(Run, config, prompts[shortIndex], 0, CancellationToken.None);

        // A static batch would have made it wait for the long one's tokens.
        Assert.False(longRequest.IsCompleted, "the short request should finish while the long one still decodes");
        Assert.Equal(1, engine.Stats.JoinedWhileDecoding - before.JoinedWhileDecoding);
        Assert.Equal(direct[shortIndex].Tokens, shortOutput.Tokens);
        Assert.Equal(direct[longIndex].Tokens, (await longRequest).Tokens);
    }

    [Fact]
    public async Task A_keyed_completion_is_the_same_on_any_silo_and_an_unkeyed_one_is_not()
    {
        var config = TinyPolicy.Config with { Temperature = 1.5f, MaxCompletionTokens = 12 };
        // Plainly initialised weights (not TinyPolicy's peaked ones): their flat next-token distributions make samples differ.
        torch.manual_seed(4);
        using var model = new CausalLM(TinyPolicy.Assets(config).Model);
        var source = new FakeWeightSource();
        source.Publish(Run, 1, WeightSnapshot.Capture(model).ToArray());
        await using var first = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { SamplingSalt = 1 });
        await using var second = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { SamplingSalt = 2 });
        var prompt = TinyPolicy.Prompt(3, config);
        var coordinates = Enumerable.Range(0, 4).Select(sample => new CompletionCoordinates(Step: 2, PromptIndex: 1, sample, Attempt: 0)).ToArray();

        // The second silo serves the group amid other requests, in another order.
        var onFirst = await Task.WhenAll(coordinates.Select(at => first.GenerateAsync(Run, config, prompt, 0, LearnerLineage.Any, at, CancellationToken.None)));
        var noise = Enumerable.Range(0, 3).Select(i => second.GenerateAsync(Run, config, TinyPolicy.Prompt(i, config), 0, CancellationToken.None));
        var onSecond = await Task.WhenAll(coordinates.Reverse().Select(at => second.GenerateAsync(Run, config, prompt, 0, LearnerLineage.Any, at, CancellationToken.None)));
        await Task.WhenAll(noise);
        Array.Reverse(onSecond);

        for (var i = 0; i < coordinates.Length; i++)
        {
            Assert.Equal(onFirst[i].Tokens, onSecond[i].Tokens);
            for (var t = 0; t < onFirst[i].LogProbs.Length; t++)
                Assert.Equal(onFirst[i].LogProbs[t], onSecond[i].LogProbs[t], tolerance: 1e-5f);
        }
        Assert.True(onFirst.Select(output => string.Join(',', output.Tokens)).Distinct().Count() > 1, "a group's samples should differ");
        var unkeyedFirst = await first.GenerateAsync(Run, config, prompt, 0, CancellationToken.None);
        var unkeyedSecond = await second.GenerateAsync(Run, config, prompt, 0, CancellationToken.None);
        Assert.NotEqual(unkeyedFirst.Tokens, unkeyedSecond.Tokens);
    }
}
