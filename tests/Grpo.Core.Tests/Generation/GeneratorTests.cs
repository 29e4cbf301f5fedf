using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;
using TextGenerator = Grpo.Core.Generation.Generator;

namespace Grpo.Core.Tests.Generation;

public sealed class GeneratorTests
{
    const int Pad = 0;
    static readonly SamplingOptions Greedy = new() { Temperature = 0, MaxNewTokens = 8 };

    static string Decode(IReadOnlyList<int> tokens) => string.Concat(tokens.Select(t => (char)('a' + t % 26)));

    [Theory]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void GreedySequenceAloneEqualsTheSameSequenceInALeftPaddedBatch(string name)
    {
        using var model = TestModels.Create(TestModels.ByName(name));
        var generator = new TextGenerator(model, Pad);
        int[] target = [4, 9, 13];
        var alone = generator.Generate([target], Greedy).Single();
        var batch = generator.Generate([[7, 2, 19, 22, 5, 31, 8], target, [17]], Greedy);
        Assert.Equal(8, alone.Tokens.Length);
        Assert.Equal(alone.Tokens, batch[1].Tokens);
        Assert.Equal(FinishReason.Length, batch[1].FinishReason);
        for (var i = 0; i < alone.LogProbs.Length; i++)
            Assert.Equal(alone.LogProbs[i], batch[1].LogProbs[i], tolerance: 1e-4f);
        // The other rows equal their own solo runs too.
        Assert.Equal(generator.Generate([[17]], Greedy).Single().Tokens, batch[2].Tokens);
    }

    [Fact]
    public void GreedyFollowsArgmaxOfTheFullForward()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generated = new TextGenerator(model, Pad).Generate([[3, 8]], Greedy with { MaxNewTokens = 4 }).Single();
        var sequence = new List<long> { 3, 8 };
        using var noGrad = no_grad();
        foreach (var token in generated.Tokens)
        {
            using var logits = model.forward(tensor(sequence.ToArray(), [1, sequence.Count]));
            Assert.Equal(logits[0, sequence.Count - 1].argmax().item<long>(), token);
            sequence.Add(token);
        }
    }

    [Fact]
    public void SampledLogProbsEqualTeacherForcedRecomputation()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        var options = new SamplingOptions { Temperature = 0.7f, TopK = 20, TopP = 0.9f, MaxNewTokens = 6 };
        int[][] prompts = [[5, 6, 7], [8], [9, 10]];
        var rng = new torch.Generator(42);
        var generated = new TextGenerator(model, Pad).Generate(prompts, options, rng);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (logProbs, mask) = SequenceLogProbs.Completions(model, prompts, generated.Select(g => g.Tokens).ToArray(), 0.7f, Pad);
        for (var r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(generated[r].Tokens.Length, (int)mask[r].sum().item<float>());
            for (var i = 0; i < generated[r].Tokens.Length; i++)
                Assert.Equal(logProbs[r, i].item<float>(), generated[r].LogProbs[i], tolerance: 1e-4f);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameSamplesAndAnotherSeedDiffers()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        var options = new SamplingOptions { Temperature = 1.5f, MaxNewTokens = 10 };
        int[][] prompts = [[3, 4], [5], [6, 7, 8]];
        var first = generator.Generate(prompts, options, new torch.Generator(7));
        var second = generator.Generate(prompts, options, new torch.Generator(7));
        var other = generator.Generate(prompts, options, new torch.Generator(8));
        for (var r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(first[r].Tokens, second[r].Tokens);
            Assert.Equal(first[r].LogProbs, second[r].LogProbs);
        }
        Assert.NotEqual(first.SelectMany(g => g.Tokens), other.SelectMany(g => g.Tokens));
    }

    [Fact]
    public void TopKOfOneEqualsGreedy()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        int[][] prompts = [[3, 4], [5, 9, 11]];
        var greedy = generator.Generate(prompts, Greedy);
        var topOne = generator.Generate(prompts, new SamplingOptions { Temperature = 1f, TopK = 1, MaxNewTokens = 8 }, new torch.Generator(3));
        for (var r = 0; r < prompts.Length; r++)
        {
            Assert.Equal(greedy[r].Tokens, topOne[r].Tokens);
            Assert.Equal(greedy[r].LogProbs, topOne[r].LogProbs);
        }
    }

    [Fact]
    public void StopsAtEosIncludingIt()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        var free = generator.Generate([[3, 4], [12]], Greedy);
        var eos = free[0].Tokens[2];
        var expectedLength = Array.IndexOf(free[0].Tokens, eos) + 1;
        var stopped = generator.Generate([[3, 4], [12]], Greedy with { EosTokenIds = [eos] });
        Assert.Equal(free[0].Tokens.Take(expectedLength), stopped[0].Tokens);
        Assert.Equal(expectedLength, stopped[0].LogProbs.Length);
        Assert.Equal(FinishReason.Eos, stopped[0].FinishReason);
        // The other row is unaffected unless it also produced that token.
        var otherIndex = Array.IndexOf(free[1].Tokens, eos);
        Assert.Equal(otherIndex < 0 ? free[1].Tokens : free[1].Tokens.Take(otherIndex + 1), stopped[1].Tokens);
        Assert.Equal(otherIndex < 0 ? FinishReason.Length : FinishReason.Eos, stopped[1].FinishReason);
    }

    [Fact]
    public void StopsWhenTheDecodedCompletionContainsAStopString()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad, Decode);
        var free = generator.Generate([[3, 4]], Greedy).Single();
        var stop = Decode(free.Tokens[2..4]);
        var expectedLength = Enumerable.Range(1, free.Tokens.Length).First(n => Decode(free.Tokens[..n]).Contains(stop, StringComparison.Ordinal));
        var stopped = generator.Generate([[3, 4]], Greedy with { StopStrings = ["zzzzzz", stop] }).Single();
        Assert.Equal(FinishReason.StopString, stopped.FinishReason);
        Assert.Equal(free.Tokens[..expectedLength], stopped.Tokens);
        Assert.EndsWith(stop, Decode(stopped.Tokens), StringComparison.Ordinal);
    }

    [Fact]
    public void StopsAtMaxNewTokensWithLengthReason()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var result = new TextGenerator(model, Pad).Generate([[3], [4, 5]], Greedy with { MaxNewTokens = 3 });
        Assert.All(result, g =>
        {
            Assert.Equal(3, g.Tokens.Length);
            Assert.Equal(3, g.LogProbs.Length);
            Assert.Equal(FinishReason.Length, g.FinishReason);
            Assert.All(g.LogProbs, lp => Assert.True(lp <= 0 && float.IsFinite(lp)));
        });
    }

    [Fact]
    public void EndsEarlyWhenAllRowsAreDone()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        var free = generator.Generate([[3, 4]], Greedy).Single();
        // Every token id is EOS: each row stops after one token.
        var all = Enumerable.Range(0, TestModels.Vocab).ToArray();
        var stopped = generator.Generate([[3, 4], [5]], Greedy with { EosTokenIds = all, MaxNewTokens = 50 });
        Assert.Equal([free.Tokens[0]], stopped[0].Tokens);
        Assert.All(stopped, g => Assert.Equal(FinishReason.Eos, g.FinishReason));
    }

    [Fact]
    public void RejectsBadOptionsAndInputs()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var generator = new TextGenerator(model, Pad);
        Assert.Contains("Temperature", Assert.Throws<ArgumentException>(() => new SamplingOptions { Temperature = -1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => new SamplingOptions { TopP = 0 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("TopP", Assert.Throws<ArgumentException>(() => new SamplingOptions { TopP = 1.5f }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("TopK", Assert.Throws<ArgumentException>(() => new SamplingOptions { TopK = -2 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("MaxNewTokens", Assert.Throws<ArgumentException>(() => new SamplingOptions { MaxNewTokens = 0 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("StopStrings[0]", Assert.Throws<ArgumentException>(() => new SamplingOptions { StopStrings = [""] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("decode", Assert.Throws<ArgumentException>(() => generator.Generate([[1]], Greedy with { StopStrings = ["x"] })).Message, StringComparison.Ordinal);
        Assert.Contains("prompts[1]", Assert.Throws<ArgumentException>(() => generator.Generate([[1], []], Greedy)).Message, StringComparison.Ordinal);
        Assert.Contains("prompts[0][1]", Assert.Throws<ArgumentException>(() => generator.Generate([[1, 99]], Greedy)).Message, StringComparison.Ordinal);
        Assert.Contains("EosTokenIds[0]", Assert.Throws<ArgumentException>(() => generator.Generate([[1]], Greedy with { EosTokenIds = [400] })).Message, StringComparison.Ordinal);
        Assert.Contains("padTokenId", Assert.Throws<ArgumentException>(() => new TextGenerator(model, -1).Generate([[1]], Greedy)).Message, StringComparison.Ordinal);
        Assert.Empty(generator.Generate([], Greedy));
    }
}
