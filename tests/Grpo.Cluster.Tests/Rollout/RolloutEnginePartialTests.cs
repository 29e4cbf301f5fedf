using Grpo.Core.Generation;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// partial_rollouts in the engine: a request for a newer version arriving while a row decodes switches that row to the
/// new weights mid-completion; off (the default), the row finishes on the weights it started with.
/// </summary>
public sealed class RolloutEnginePartialTests
{
    const string Run = "partial-run";

    static readonly byte[] OldImage = TinyPolicy.Image(seed: 1);
    static readonly byte[] NewImage = TinyPolicy.Image(seed: 2);

    sealed record Outcome(RolloutOutput Long, RolloutOutput Late, int[] LongPrompt, int[] LatePrompt, RolloutStats Before, RolloutStats After);

    /// <summary>
    /// Starts a long greedy row on version 1, publishes version 2 and, while the row decodes, asks for a completion of
    /// version 2 or newer. The engine's decode seam fixes the interleaving: the row is held after its first token until
    /// the late request is in, and while a switch's pull is under way no further token is decoded, so the switch always
    /// lands mid-row however fast the machine decodes.
    /// </summary>
    static async Task<Outcome> DecodeAcrossAVersionAsync(bool partialRollouts)
    {
        var config = TinyPolicy.Config with
        {
            MaxCompletionTokens = 160, TopK = 1, RolloutMaxBatch = 4, RolloutBatchWaitMs = 0, MaxStaleness = 1, PartialRollouts = partialRollouts,
        };
        var prompts = Enumerable.Range(0, 24).Select(i => TinyPolicy.Prompt(i, config)).ToArray();
        // Top-k 1 is greedy, so the direct run tells which prompts decode long and which stop early.
        var direct = TinyPolicy.DirectGreedy(OldImage, prompts, config);
        var longIndex = Array.IndexOf(direct, direct.MaxBy(sequence => sequence.Tokens.Length));
        var shortIndex = Array.FindIndex(direct, sequence => sequence.Tokens.Length <= 8);
        Assert.True(direct[longIndex].Tokens.Length >= 60 && shortIndex >= 0,
            $"the test needs a prompt that decodes 60 tokens or more and one that stops within 8: lengths {string.Join(", ", direct.Select(d => d.Tokens.Length))}");

        var holding = 0; // 0: not yet, 1: hold the next iteration, 2: held once
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        void AfterIteration(Task? pendingPull)
        {
            if (Interlocked.CompareExchange(ref holding, 2, 1) == 1)
            {
                held.SetResult();
                Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "the test never released the held row");
            }
            pendingPull?.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(30));
        }

        var source = new FakeWeightSource();
        source.Publish(Run, 1, OldImage);
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { AfterDecodeIteration = AfterIteration });
        await engine.GenerateAsync(Run, config, prompts[shortIndex], 1, CancellationToken.None);
        var before = engine.Stats;

        Volatile.Write(ref holding, 1);
        var longRequest = engine.GenerateAsync(Run, config, prompts[longIndex], 1, CancellationToken.None);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        source.Publish(Run, 2, NewImage);
        var lateRequest = engine.GenerateAsync(Run, config, prompts[shortIndex], 2, CancellationToken.None);
        release.Set();
        var late = await lateRequest;
        var longOutput = await longRequest;
        return new Outcome(longOutput, late, prompts[longIndex], prompts[shortIndex], before, engine.Stats);
    }

    [Fact]
    public async Task With_partial_rollouts_a_decoding_row_goes_on_with_the_new_version_from_its_next_token()
    {
        var outcome = await DecodeAcrossAVersionAsync(partialRollouts: true);
        var config = TinyPolicy.Config with { MaxCompletionTokens = 160, TopK = 1 };
        var tokens = outcome.Long.Tokens;

        // Two spans, covering every token: the first on version 1, the rest on version 2.
        Assert.Equal(2, outcome.Long.Versions.Length);
        var (oldSpan, newSpan) = (outcome.Long.Versions[0], outcome.Long.Versions[1]);
        Assert.Equal((1L, 2L), (oldSpan.Version, newSpan.Version));
        Assert.True(oldSpan.Tokens >= 1 && newSpan.Tokens >= 1, $"spans {oldSpan} and {newSpan}");
        Assert.Equal(tokens.Length, oldSpan.Tokens + newSpan.Tokens);
        Assert.Equal(1, outcome.Long.PolicyVersion); // its oldest token's: staleness counts from there
        // Before the switch, the old weights' greedy tokens; after it, the new weights' given everything before.
        var switchedAt = oldSpan.Tokens;
        Assert.Equal(TinyPolicy.DirectGreedy(OldImage, [outcome.LongPrompt], config)[0].Tokens[..switchedAt], tokens[..switchedAt]);
        var continued = TinyPolicy.DirectGreedy(NewImage, [[.. outcome.LongPrompt, .. tokens[..switchedAt]]], config with { MaxCompletionTokens = tokens.Length - switchedAt });
        Assert.Equal(continued[0].Tokens, tokens[switchedAt..]);

        Assert.Equal([new TokenVersionSpan(2, outcome.Late.Tokens.Length)], outcome.Late.Versions);
        Assert.Equal(2, outcome.Late.PolicyVersion);
        Assert.Equal(TinyPolicy.DirectGreedy(NewImage, [outcome.LatePrompt], config)[0].Tokens, outcome.Late.Tokens);
        Assert.Equal(1, outcome.After.SwitchesWhileDecoding - outcome.Before.SwitchesWhileDecoding);
        Assert.Equal(1, outcome.After.RowsSwitched - outcome.Before.RowsSwitched);
    }

    [Fact]
    public async Task Without_partial_rollouts_the_row_finishes_on_the_version_it_started_with()
    {
        var outcome = await DecodeAcrossAVersionAsync(partialRollouts: false);
        var config = TinyPolicy.Config with { MaxCompletionTokens = 160, TopK = 1 };

        Assert.Equal([new TokenVersionSpan(1, outcome.Long.Tokens.Length)], outcome.Long.Versions);
        Assert.Equal(1, outcome.Long.PolicyVersion);
        Assert.Equal(TinyPolicy.DirectGreedy(OldImage, [outcome.LongPrompt], config)[0].Tokens, outcome.Long.Tokens);
        Assert.Equal([new TokenVersionSpan(2, outcome.Late.Tokens.Length)], outcome.Late.Versions);
        Assert.Equal(0, outcome.After.SwitchesWhileDecoding - outcome.Before.SwitchesWhileDecoding);
        Assert.Equal(0, outcome.After.RowsSwitched - outcome.Before.RowsSwitched);
    }
}
