using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;
using TextGenerator = Grpo.Core.Generation.Generator;

namespace Grpo.Core.Tests.Generation;

public sealed class KeyedSamplingTests
{
    const int Pad = 0;

    static SampleKey Key(int sample, int attempt = 0) => new(RunSeed: 17, Step: 3, PromptIndex: 2, SampleIndex: sample, Attempt: attempt);

    [Theory]
    // Cumulative mass of [0.2, 0.5, 0.3]: token 0 owns [0, 0.2), token 1 [0.2, 0.7), token 2 [0.7, 1).
    [InlineData(0.0, 0)]
    [InlineData(0.1, 0)]
    [InlineData(0.25, 1)]
    [InlineData(0.65, 1)]
    [InlineData(0.75, 2)]
    [InlineData(0.999, 2)]
    public void InverseCdfPicksTheTokenWhoseIntervalHoldsTheUniform(double uniform, int expected) =>
        Assert.Equal(expected, TokenSampler.InverseCdf([0.2f, 0.5f, 0.3f], uniform));

    [Fact]
    public void InverseCdfNeverPicksAFilteredToken()
    {
        // Filtered tokens (probability 0) own empty intervals, even at the ends of [0, 1).
        Assert.Equal(1, TokenSampler.InverseCdf([0f, 0.5f, 0f, 0.5f, 0f], 0.0));
        Assert.Equal(1, TokenSampler.InverseCdf([0f, 0.5f, 0f, 0.5f, 0f], 0.49));
        Assert.Equal(3, TokenSampler.InverseCdf([0f, 0.5f, 0f, 0.5f, 0f], 0.5));
        Assert.Equal(3, TokenSampler.InverseCdf([0f, 0.5f, 0f, 0.5f, 0f], 0.9999999));
        // A mass that rounds short of 1 still maps the whole of [0, 1) onto kept tokens.
        Assert.Equal(1, TokenSampler.InverseCdf([0.3f, 0.3f, 0f], 0.9999999));
        Assert.Contains("positive probability", Assert.Throws<ArgumentException>(() => TokenSampler.InverseCdf([0f, 0f], 0.5)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenSampler.InverseCdf([1f], 1.0));
    }

    [Fact]
    public void KeyUniformsAreReproducibleDistinctPerFieldAndUniform()
    {
        Assert.Equal(Key(0).Uniform(5), Key(0).Uniform(5));
        var first = Key(0).Uniform(0);
        Assert.NotEqual(first, Key(0).Uniform(1));
        Assert.NotEqual(first, Key(1).Uniform(0));
        Assert.NotEqual(first, Key(0, attempt: 1).Uniform(0));
        Assert.NotEqual(first, (Key(0) with { Step = 4 }).Uniform(0));
        Assert.NotEqual(first, (Key(0) with { PromptIndex = 3 }).Uniform(0));
        Assert.NotEqual(first, (Key(0) with { RunSeed = 18 }).Uniform(0));

        // 20 bins over 20,000 draws: each bin expects 1000 with a standard deviation of about 31.
        var bins = new int[20];
        for (var sample = 0; sample < 200; sample++)
            for (var position = 0; position < 100; position++)
            {
                var u = Key(sample).Uniform(position);
                Assert.InRange(u, 0.0, 0.9999999999);
                bins[(int)(u * bins.Length)]++;
            }
        Assert.All(bins, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void KeyedChoicesFollowTheFilteredDistribution()
    {
        using var scope = NewDisposeScope();
        // Probabilities 0.1, 0.6, 0.05, 0.25; top-k 3 drops token 2, leaving 0.1 / 0.95, 0.6 / 0.95, 0.25 / 0.95.
        var logits = tensor(new[] { 0.1f, 0.6f, 0.05f, 0.25f }.Select(p => MathF.Log(p)).ToArray(), [1, 4]);
        var options = new SamplingOptions { Temperature = 1f, TopK = 3 };
        var counts = new int[4];
        const int draws = 20_000;
        for (var sample = 0; sample < draws; sample++)
            counts[TokenSampler.ChooseKeyed(logits, options, [Key(sample)], [0])[0]]++;
        Assert.Equal(0, counts[2]);
        Assert.Equal(0.1 / 0.95, counts[0] / (double)draws, 0.015);
        Assert.Equal(0.6 / 0.95, counts[1] / (double)draws, 0.015);
        Assert.Equal(0.25 / 0.95, counts[3] / (double)draws, 0.015);
        // Greedy stays the argmax, whatever the keys.
        Assert.Equal([1L], TokenSampler.ChooseKeyed(logits, options with { Temperature = 0 }, [Key(0)], [0]));
    }

    [Fact]
    public void SameKeySamplesTheSameCompletionAndOtherKeysOthers()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        var options = new SamplingOptions { Temperature = 1.5f, MaxNewTokens = 10 };
        int[][] prompts = [[5, 6, 7], [5, 6, 7]];
        var first = generator.Generate(prompts, options, [Key(0), Key(1)]);
        var again = generator.Generate(prompts, options, [Key(0), Key(1)]);
        var swapped = generator.Generate(prompts, options, [Key(1), Key(0)]);
        Assert.Equal(first[0].Tokens, again[0].Tokens);
        Assert.Equal(first[1].Tokens, again[1].Tokens);
        Assert.Equal(first[0].Tokens, swapped[1].Tokens);
        Assert.Equal(first[1].Tokens, swapped[0].Tokens);
        // Identical prompts with different keys diverge (10 tokens at temperature 1.5 tie with odds far below 1e-6).
        Assert.NotEqual(first[0].Tokens, first[1].Tokens);
        var retried = generator.Generate([prompts[0]], options, [Key(0, attempt: 1)]).Single();
        Assert.NotEqual(first[0].Tokens, retried.Tokens);
    }

    [Fact]
    public void TinyPresetSampledAloneEqualsTheSameKeyInsideAMixedBatch()
    {
        torch.manual_seed(5);
        using var model = new CausalLM(ModelPresets.Tiny(64));
        model.eval();
        var generator = new TextGenerator(model, Pad);
        var options = new SamplingOptions { Temperature = 1f, TopP = 0.95f, TopK = 50, MaxNewTokens = 16 };
        int[] target = [9, 4, 33, 12];
        var alone = generator.Generate([target], options, [Key(7)]).Single();
        var mixed = generator.Generate([[3, 1, 8, 60, 22, 17, 5, 9], target, target, [40]], options, [Key(0), Key(7), Key(8), Key(1)]);
        Assert.Equal(16, alone.Tokens.Length);
        Assert.Equal(alone.Tokens, mixed[1].Tokens);
        for (var i = 0; i < alone.LogProbs.Length; i++)
            Assert.Equal(alone.LogProbs[i], mixed[1].LogProbs[i], tolerance: 1e-5f);
        Assert.NotEqual(alone.Tokens, mixed[2].Tokens);
    }

    [Fact]
    public void KeyedGenerationChecksItsArguments()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        var options = new SamplingOptions { Temperature = 1f, MaxNewTokens = 4 };
        Assert.Contains("keys has 1 entries for 2 prompts", Assert.Throws<ArgumentException>(() => generator.Generate([[1], [2]], options, [Key(0)])).Message, StringComparison.Ordinal);
        Assert.Contains("maxNewTokens[1] = 5", Assert.Throws<ArgumentException>(
            () => generator.Generate([[1], [2]], options, [Key(0), Key(1)], [2, 5])).Message, StringComparison.Ordinal);
        var capped = generator.Generate([[1], [2]], options, [Key(0), Key(1)], [2, 4]);
        Assert.Equal([2, 4], capped.Select(sequence => sequence.Tokens.Length));
        Assert.All(capped, sequence => Assert.Equal(FinishReason.Length, sequence.FinishReason));
    }
}
