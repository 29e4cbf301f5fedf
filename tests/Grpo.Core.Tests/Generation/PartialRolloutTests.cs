using Grpo.Core.Generation;
using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Generation;

/// <summary>
/// <see cref="ContinuousBatcher.WeightsChanged"/>: rows still decoding go on with new weights from the next token, each
/// token tagged with the version that sampled it.
/// </summary>
public sealed class PartialRolloutTests
{
    static readonly SamplingOptions Greedy = new() { Temperature = 0, MaxNewTokens = 12 };

    static SampleKey Key(int sample) => new(RunSeed: 5, Step: 0, PromptIndex: 0, SampleIndex: sample, Attempt: 0);

    /// <summary>
    /// A tiny model from <paramref name="seed"/>, its matrices scaled up so the next-token distribution is peaked: greedy
    /// choices then never hinge on rounding differences between a batched and a solo forward.
    /// </summary>
    static CausalLM Model(int seed)
    {
        torch.manual_seed(seed);
        var model = new CausalLM(ModelPresets.Tiny(64));
        using var noGrad = no_grad();
        foreach (var parameter in model.parameters())
            if (parameter.dim() >= 2)
                parameter.mul_(25);
        model.eval();
        return model;
    }

    /// <summary>Loads <paramref name="source"/>'s weights into <paramref name="target"/> in place, as a rollout silo loads a new version.</summary>
    static void CopyWeights(CausalLM source, CausalLM target)
    {
        using var noGrad = no_grad();
        var weights = source.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter);
        foreach (var (name, parameter) in target.named_parameters()) parameter.copy_(weights[name]);
    }

    static GeneratedSequence Alone(CausalLM model, int[] prompt, int maxNewTokens)
    {
        using var batcher = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 32);
        return batcher.Run([new DecodeRequest(prompt, Key(0), maxNewTokens)]).Single();
    }

    static void AssertLogProbs(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance: 1e-4f);
    }

    [Fact]
    public void Rows_switch_to_the_new_weights_at_an_iteration_boundary()
    {
        using var oldModel = Model(11);
        using var newModel = Model(12);
        using var live = Model(11);
        int[][] prompts = [[9, 4, 33, 12], [40, 41]];
        using var batcher = new ContinuousBatcher(live, Greedy, slots: 2, maxPromptTokens: 32, policyVersion: 3);
        var requests = prompts.Select((prompt, i) => new DecodeRequest(prompt, Key(i))).ToArray();
        foreach (var request in requests) batcher.Enqueue(request);
        const int before = 5;
        var done = new Dictionary<DecodeRequest, GeneratedSequence>(ReferenceEqualityComparer.Instance);
        // The first step prefills, samples a row's first token and decodes its second; each later step decodes one more.
        for (var step = 0; step < before - 1; step++)
            foreach (var (request, sequence) in batcher.Step()) done[request] = sequence;
        Assert.Empty(done);

        CopyWeights(newModel, live);
        batcher.WeightsChanged(4);
        while (!batcher.IsIdle)
            foreach (var (request, sequence) in batcher.Step()) done[request] = sequence;

        Assert.Equal(2, batcher.RowsRefilled);
        foreach (var (request, prompt) in requests.Zip(prompts))
        {
            var switched = done[request];
            Assert.Equal(Greedy.MaxNewTokens, switched.Tokens.Length);
            Assert.Equal([new TokenVersionSpan(3, before), new TokenVersionSpan(4, Greedy.MaxNewTokens - before)], switched.Versions);

            // Before the switch: what the old weights decode on their own.
            var old = Alone(oldModel, prompt, Greedy.MaxNewTokens);
            Assert.Equal(old.Tokens[..before], switched.Tokens[..before]);
            AssertLogProbs(old.LogProbs[..before], switched.LogProbs.AsSpan(0, before));
            // After it: what the new weights decode given the prompt and the tokens so far.
            var continued = Alone(newModel, [.. prompt, .. switched.Tokens[..before]], Greedy.MaxNewTokens - before);
            Assert.Equal(continued.Tokens, switched.Tokens[before..]);
            AssertLogProbs(continued.LogProbs, switched.LogProbs.AsSpan(before));
            // The switch mattered: the old weights would have gone on otherwise.
            Assert.NotEqual(old.Tokens[before..], switched.Tokens[before..]);
        }
    }

    [Fact]
    public void Recomputing_the_cache_with_the_same_weights_changes_no_token()
    {
        using var model = Model(11);
        int[] prompt = [9, 4, 33, 12];
        var alone = Alone(model, prompt, Greedy.MaxNewTokens);
        using var batcher = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 32, policyVersion: 0);
        var request = new DecodeRequest(prompt, Key(0));
        batcher.Enqueue(request);
        // Three tokens: the first step samples two, the second one more.
        for (var step = 0; step < 2; step++) Assert.Empty(batcher.Step());

        batcher.WeightsChanged(1);
        GeneratedSequence? finished = null;
        while (!batcher.IsIdle) finished = batcher.Step().SingleOrDefault()?.Sequence ?? finished;

        var sequence = Assert.IsType<GeneratedSequence>(finished);
        Assert.Equal(alone.Tokens, sequence.Tokens);
        AssertLogProbs(alone.LogProbs, sequence.LogProbs);
        Assert.Equal([new TokenVersionSpan(0, 3), new TokenVersionSpan(1, Greedy.MaxNewTokens - 3)], sequence.Versions);
    }

    [Fact]
    public void Version_tags_add_up_to_every_completion_and_rows_admitted_later_carry_only_the_new_version()
    {
        using var model = Model(11);
        var sampling = new SamplingOptions { Temperature = 1, MaxNewTokens = 10 };
        using var batcher = new ContinuousBatcher(model, sampling, slots: 3, maxPromptTokens: 16, policyVersion: 7);
        var early = Enumerable.Range(0, 3).Select(i => new DecodeRequest([1 + i, 2, 3], Key(i), maxNewTokens: 4 + 2 * i)).ToArray();
        foreach (var request in early) batcher.Enqueue(request);
        var done = new Dictionary<DecodeRequest, GeneratedSequence>(ReferenceEqualityComparer.Instance);
        // One step: each row's first two tokens.
        Assert.Empty(batcher.Step());

        batcher.WeightsChanged(9);
        var late = new DecodeRequest([5, 6], Key(9), maxNewTokens: 3);
        batcher.Enqueue(late);
        while (!batcher.IsIdle)
            foreach (var (request, sequence) in batcher.Step()) done[request] = sequence;

        foreach (var request in early)
        {
            var sequence = done[request];
            Assert.Equal(request.MaxNewTokens, sequence.Tokens.Length);
            Assert.Equal(sequence.Tokens.Length, sequence.Versions.Sum(span => span.Tokens));
            Assert.Equal([new TokenVersionSpan(7, 2), new TokenVersionSpan(9, sequence.Tokens.Length - 2)], sequence.Versions);
        }
        Assert.Equal([new TokenVersionSpan(9, 3)], done[late].Versions);
    }

    [Fact]
    public void Rows_cannot_go_on_with_an_older_or_the_same_version_but_an_idle_batcher_takes_any()
    {
        using var model = Model(11);
        using var batcher = new ContinuousBatcher(model, Greedy, slots: 1, maxPromptTokens: 8, policyVersion: 5);
        batcher.WeightsChanged(2);
        Assert.Equal(2, batcher.PolicyVersion);
        batcher.Enqueue(new DecodeRequest([3, 4], Key(0)));
        batcher.Step();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => batcher.WeightsChanged(2));

        Assert.Contains("rows are decoding with policy version 2; they can only go on with a newer one", error.Message);
        Assert.Equal(2, batcher.PolicyVersion);
        Assert.Equal(0, batcher.RowsRefilled);
    }
}
