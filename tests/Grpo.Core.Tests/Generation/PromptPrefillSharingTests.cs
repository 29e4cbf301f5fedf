using Grpo.Core.Generation;
using Grpo.Core.Tests.Model;
using TorchSharp;
using TextGenerator = Grpo.Core.Generation.Generator;

namespace Grpo.Core.Tests.Generation;

public sealed class PromptPrefillSharingTests
{
    const int Pad = 0;

    // Three groups of unequal size and prompt length, interleaved as a batch of completion requests arrives.
    static readonly int[][] GroupedPrompts = [[5, 6, 7], [8], [5, 6, 7], [9, 10], [8], [5, 6, 7], [8], [5, 6, 7]];

    [Theory]
    [InlineData("qwen2", 0f)]
    [InlineData("qwen3", 0f)]
    [InlineData("qwen2", 0.8f)]
    [InlineData("qwen3", 0.8f)]
    public void SharedPrefillSamplesTheSameTokensAndLogProbsAsPrefillingEveryRow(string name, float temperature)
    {
        using var model = TestModels.Create(TestModels.ByName(name));
        var options = new SamplingOptions { Temperature = temperature, TopK = temperature > 0 ? 30 : 0, MaxNewTokens = 7 };
        var shared = new TextGenerator(model, Pad).Generate(GroupedPrompts, options, new torch.Generator(7));
        var unshared = new TextGenerator(model, Pad, sharePromptPrefill: false).Generate(GroupedPrompts, options, new torch.Generator(7));

        for (var r = 0; r < GroupedPrompts.Length; r++)
        {
            Assert.Equal(unshared[r].Tokens, shared[r].Tokens);
            Assert.Equal(unshared[r].FinishReason, shared[r].FinishReason);
            Assert.Equal(unshared[r].LogProbs.Length, shared[r].LogProbs.Length);
            for (var i = 0; i < shared[r].LogProbs.Length; i++)
                Assert.Equal(unshared[r].LogProbs[i], shared[r].LogProbs[i], tolerance: 1e-4f);
        }
    }

    [Fact]
    public void EachDistinctPromptIsPrefilledOnce()
    {
        using var model = TestModels.Create(TestModels.Qwen3());
        var options = new SamplingOptions { Temperature = 1f, MaxNewTokens = 3 };
        var shared = new TextGenerator(model, Pad);
        var unshared = new TextGenerator(model, Pad, sharePromptPrefill: false);

        shared.Generate(GroupedPrompts, options, new torch.Generator(1));
        unshared.Generate(GroupedPrompts, options, new torch.Generator(1));
        Assert.Equal(3, shared.PromptsPrefilled);
        Assert.Equal(GroupedPrompts.Length, unshared.PromptsPrefilled);

        // Distinct prompts have nothing to share; the counter adds up over calls.
        shared.Generate([[1, 2], [2, 1], [1, 2, 3]], options, new torch.Generator(1));
        Assert.Equal(6, shared.PromptsPrefilled);
    }

    [Fact]
    public void SamplesOfOneSharedPromptStillDrawIndependently()
    {
        using var model = TestModels.Create(TestModels.Qwen2());
        int[][] group = [.. Enumerable.Repeat(new[] { 4, 5 }, 8)];
        var outputs = new TextGenerator(model, Pad).Generate(group, new SamplingOptions { Temperature = 1.5f, MaxNewTokens = 6 }, new torch.Generator(3));
        Assert.True(outputs.Select(o => string.Join(',', o.Tokens)).Distinct().Count() > 1, "eight samples of one prompt were all identical");
    }
}
