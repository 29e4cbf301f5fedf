using Grpo.Core.Generation;
using Grpo.Core.Model;
using Grpo.Core.Tests.Model;
using TorchSharp;
using TextGenerator = Grpo.Core.Generation.Generator;

namespace Grpo.Core.Tests.Generation;

public sealed class ContinuousBatcherTests
{
    static readonly SamplingOptions Greedy = new() { Temperature = 0, MaxNewTokens = 12 };

    static SampleKey Key(int sample) => new(RunSeed: 5, Step: 0, PromptIndex: 0, SampleIndex: sample, Attempt: 0);

    static CausalLM TinyPreset()
    {
        torch.manual_seed(11);
        var model = new CausalLM(ModelPresets.Tiny(64));
        model.eval();
        return model;
    }

    static void AssertSame(GeneratedSequence expected, GeneratedSequence actual)
    {
        Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
        for (var i = 0; i < expected.LogProbs.Length; i++)
            Assert.Equal(expected.LogProbs[i], actual.LogProbs[i], tolerance: 1e-5f);
    }

    [Fact]
    public void ASequenceDecodedAloneEqualsItDecodedAmongOthersJoiningAndLeaving()
    {
        using var model = TinyPreset();
        int[] target = [9, 4, 33, 12];
        using var single = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 8);
        var alone = single.Run([new DecodeRequest(target, Key(0))]).Single();
        Assert.Equal(12, alone.Tokens.Length);
        // The lone run also equals the static generator's.
        AssertSame(new TextGenerator(model, 0).Generate([target], Greedy).Single(), alone);

        // Three slots: short neighbours finish and free their slots while the target decodes, and waiting requests are
        // prefilled into them at positions unlike the target's.
        using var batcher = new ContinuousBatcher(model, Greedy, slots: 3, maxPromptTokens: 8);
        var others = new[]
        {
            new DecodeRequest([1, 2, 3, 4, 5, 6, 7, 8], Key(1), maxNewTokens: 2),
            new DecodeRequest([40], Key(2), maxNewTokens: 3),
            new DecodeRequest([17, 18], Key(3), maxNewTokens: 5),
            new DecodeRequest([50, 51, 52], Key(4), maxNewTokens: 1),
            new DecodeRequest([60, 61, 62, 63, 2], Key(5)),
        };
        batcher.Enqueue(others[0]);
        batcher.Enqueue(others[1]);
        var targetRequest = new DecodeRequest(target, Key(0));
        batcher.Enqueue(targetRequest);
        var results = new Dictionary<DecodeRequest, GeneratedSequence>(ReferenceEqualityComparer.Instance);
        var joinedMidway = false;
        var step = 0;
        while (!batcher.IsIdle)
        {
            if (step == 2) { batcher.Enqueue(others[2]); batcher.Enqueue(others[3]); batcher.Enqueue(others[4]); }
            foreach (var (request, sequence) in batcher.Step()) results[request] = sequence;
            joinedMidway |= step > 2 && batcher.ActiveCount == 3 && !results.ContainsKey(targetRequest);
            step++;
        }
        Assert.True(joinedMidway, "requests should have joined while the target was still decoding");
        AssertSame(alone, results[targetRequest]);
        // Every neighbour equals its own lone run too, and stopped at its own limit.
        foreach (var other in others)
        {
            using var own = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 8);
            AssertSame(own.Run([new DecodeRequest(other.Prompt, other.Key, other.MaxNewTokens)]).Single(), results[other]);
            Assert.Equal(other.MaxNewTokens ?? 12, results[other].Tokens.Length);
        }
    }

    [Fact]
    public void SampledCompletionsEqualTheStaticGeneratorsForTheSameKeys()
    {
        using var model = TinyPreset();
        var options = new SamplingOptions { Temperature = 1f, TopK = 40, TopP = 0.95f, MaxNewTokens = 10 };
        int[][] prompts = [[9, 4, 33], [9, 4, 33], [9, 4, 33], [7, 7], [61]];
        var keys = prompts.Select((_, i) => Key(i)).ToArray();
        var expected = new TextGenerator(model, 0).Generate(prompts, options, keys);
        using var batcher = new ContinuousBatcher(model, options, slots: 2, maxPromptTokens: 4);
        var actual = batcher.Run(prompts.Select((prompt, i) => new DecodeRequest(prompt, keys[i])).ToArray());
        for (var i = 0; i < prompts.Length; i++) AssertSame(expected[i], actual[i]);
    }

    [Fact]
    public void AGroupsIdenticalPromptsShareOnePrefillAndSlotsAreReused()
    {
        using var model = TinyPreset();
        using var batcher = new ContinuousBatcher(model, Greedy with { MaxNewTokens = 3 }, slots: 4, maxPromptTokens: 4);
        var group = Enumerable.Range(0, 4).Select(i => new DecodeRequest([5, 6, 7], Key(i))).ToArray();
        var next = Enumerable.Range(4, 3).Select(i => new DecodeRequest([8, 9], Key(i))).ToArray();
        var results = batcher.Run([.. group, .. next]);
        Assert.Equal(2, batcher.PromptsPrefilled);
        Assert.All(results, sequence => Assert.Equal(3, sequence.Tokens.Length));
        Assert.True(batcher.IsIdle);
    }

    [Fact]
    public void EndsAtEosAndFreesTheSlotAtOnce()
    {
        using var model = TinyPreset();
        int[] prompt = [3, 4, 5];
        using var probe = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 4);
        var free = probe.Run([new DecodeRequest(prompt, Key(0))]).Single();
        var eos = free.Tokens[2];
        using var batcher = new ContinuousBatcher(model, Greedy with { EosTokenIds = [eos] }, slots: 1, maxPromptTokens: 4);
        var stopped = batcher.Run([new DecodeRequest(prompt, Key(0)), new DecodeRequest(prompt, Key(1))]);
        var end = Array.IndexOf(free.Tokens, eos) + 1;
        Assert.Equal(free.Tokens.Take(end), stopped[0].Tokens);
        Assert.Equal(FinishReason.Eos, stopped[0].FinishReason);
        Assert.Equal(stopped[0].Tokens, stopped[1].Tokens);
    }

    [Fact]
    public void BadRequestsAreRefusedNamingTheField()
    {
        using var model = TinyPreset();
        using var batcher = new ContinuousBatcher(model, Greedy, slots: 2, maxPromptTokens: 4);
        string Refusal(DecodeRequest request) => Assert.Throws<ArgumentException>(() => batcher.Enqueue(request)).Message;
        Assert.Contains("request.Prompt is empty", Refusal(new DecodeRequest([], Key(0))), StringComparison.Ordinal);
        Assert.Contains("request.Prompt[1] = 64 is outside the vocabulary [0, 64)", Refusal(new DecodeRequest([1, 64], Key(0))), StringComparison.Ordinal);
        Assert.Contains("request.Prompt has 5 tokens, more than the batcher's maxPromptTokens = 4", Refusal(new DecodeRequest([1, 2, 3, 4, 5], Key(0))), StringComparison.Ordinal);
        Assert.Contains("request.MaxNewTokens = 13", Refusal(new DecodeRequest([1], Key(0), maxNewTokens: 13)), StringComparison.Ordinal);
        Assert.Contains("request.MaxNewTokens = 0", Refusal(new DecodeRequest([1], Key(0), maxNewTokens: 0)), StringComparison.Ordinal);
        Assert.Contains("request.Key is null", Refusal(new DecodeRequest([1], null!)), StringComparison.Ordinal);
        Assert.Equal(0, batcher.WaitingCount);
        Assert.Contains("exceeds the model's 512 positions",
            Assert.Throws<ArgumentException>(() => new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 501)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContinuousBatcher(model, Greedy, slots: 0, maxPromptTokens: 4));
        Assert.Contains("StopStrings needs a decode function",
            Assert.Throws<ArgumentException>(() => new ContinuousBatcher(model, Greedy with { StopStrings = ["x"] }, slots: 1, maxPromptTokens: 4)).Message, StringComparison.Ordinal);
    }
}
