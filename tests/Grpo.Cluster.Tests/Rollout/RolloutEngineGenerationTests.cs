using Grpo.Core.Generation;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEngineGenerationTests
{
    const string Run = "gen-run";

    static RolloutEngine Engine(IWeightSource source) => new(source, new RunAssetsCache(), new RolloutEngineOptions { SamplingSalt = 3 });

    [Fact]
    public async Task Top_k_one_sampling_of_a_batch_equals_solo_greedy_generation_on_the_published_weights()
    {
        var image = TinyPolicy.Image(seed: 1);
        var source = new FakeWeightSource();
        source.Publish(Run, 1, image);
        // Temperature 1 with top_k = 1 leaves one candidate: greedy choices, with log-probs at temperature 1 like greedy's.
        var config = TinyPolicy.Config with { TopK = 1 };
        var prompts = Enumerable.Range(0, 8).Select(i => TinyPolicy.Prompt(i, config)).ToArray();
        Assert.True(prompts.Select(p => p.Length).Distinct().Count() > 1, "the prompts should differ in length so the batch is left-padded");

        await using var engine = Engine(source);
        var outputs = await Task.WhenAll(prompts.Select(prompt => engine.GenerateAsync(Run, config, prompt, 0, CancellationToken.None)));
        var expected = TinyPolicy.DirectGreedy(image, prompts, config);

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i].Tokens, outputs[i].Tokens);
            Assert.Equal(expected[i].FinishReason, outputs[i].FinishReason);
            Assert.Equal(expected[i].LogProbs.Length, outputs[i].LogProbs.Length);
            for (var t = 0; t < expected[i].LogProbs.Length; t++)
                Assert.Equal(expected[i].LogProbs[t], outputs[i].LogProbs[t], tolerance: 1e-4f);
            Assert.Equal(1, outputs[i].PolicyVersion);
        }
        Assert.Contains(outputs, output => output.Tokens.Length > 1);
    }

    [Fact]
    public async Task Requests_of_two_runs_are_served_by_their_own_weights()
    {
        var first = TinyPolicy.Image(seed: 1);
        var second = TinyPolicy.Image(seed: 2);
        var source = new FakeWeightSource();
        source.Publish("run-a", 1, first);
        source.Publish("run-b", 4, second);
        var config = TinyPolicy.Config with { TopK = 1 };
        var prompts = Enumerable.Range(0, 4).Select(i => TinyPolicy.Prompt(i, config)).ToArray();

        await using var engine = Engine(source);
        var a = prompts.Select(prompt => engine.GenerateAsync("run-a", config, prompt, 0, CancellationToken.None)).ToArray();
        var b = prompts.Select(prompt => engine.GenerateAsync("run-b", config, prompt, 0, CancellationToken.None)).ToArray();
        var fromA = await Task.WhenAll(a);
        var fromB = await Task.WhenAll(b);

        Assert.Equal(TinyPolicy.DirectGreedy(first, prompts, config).Select(s => s.Tokens), fromA.Select(o => o.Tokens));
        Assert.Equal(TinyPolicy.DirectGreedy(second, prompts, config).Select(s => s.Tokens), fromB.Select(o => o.Tokens));
        Assert.All(fromA, output => Assert.Equal(1, output.PolicyVersion));
        Assert.All(fromB, output => Assert.Equal(4, output.PolicyVersion));
        Assert.True(engine.Stats.Admissions >= 2, "requests of different runs never share a batch");
        Assert.Equal(1, engine.LoadedVersion("run-a"));
        Assert.Equal(4, engine.LoadedVersion("run-b"));
    }

    [Fact]
    public async Task Sampled_completions_respect_the_length_limit_and_report_why_they_ended()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 5));
        var config = TinyPolicy.Config with { MaxCompletionTokens = 3 };
        var eos = TinyPolicy.Assets(config).Codec.EosTokenId;

        await using var engine = Engine(source);
        var outputs = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i, config), 0, CancellationToken.None)));

        foreach (var output in outputs)
        {
            Assert.InRange(output.Tokens.Length, 1, 3);
            Assert.Equal(output.Tokens.Length, output.LogProbs.Length);
            Assert.All(output.LogProbs, logProb => Assert.True(logProb <= 0 && float.IsFinite(logProb)));
            var expected = output.Tokens[^1] == eos ? FinishReason.Eos : FinishReason.Length;
            Assert.Equal(expected, output.FinishReason);
            if (expected == FinishReason.Length) Assert.Equal(3, output.Tokens.Length);
        }
    }

    [Fact]
    public async Task Bad_prompts_are_refused_before_they_can_fail_a_batch()
    {
        var source = new FakeWeightSource();
        await using var engine = Engine(source);
        var config = TinyPolicy.Config;
        var vocab = TinyPolicy.Assets().Model.VocabSize;

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(Run, config, [], 0, CancellationToken.None));
        Assert.Contains($"run '{Run}'", empty.Message);
        var outside = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(Run, config, [1, vocab], 0, CancellationToken.None));
        Assert.Contains($"promptTokens[1] = {vocab}", outside.Message);
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(Run, config, new int[510], 0, CancellationToken.None));
        Assert.Contains("max_completion_tokens", tooLong.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.GenerateAsync(Run, config, [1, 3], -1, CancellationToken.None));
        Assert.Equal(0, source.ManifestCalls);
        Assert.Equal(0, engine.Stats.QueueDepth);
    }
}
