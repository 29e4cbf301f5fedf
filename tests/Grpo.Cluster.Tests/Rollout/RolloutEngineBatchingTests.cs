using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEngineBatchingTests
{
    const string Run = "batch-run";

    static async Task<(RolloutEngine Engine, FakeWeightSource Source)> StartedEngineAsync()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());
        // One request first, so the model exists and holds its weights before the measured requests come in.
        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        return (engine, source);
    }

    [Fact]
    public async Task Concurrent_requests_share_batches()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        var before = engine.Stats;

        var outputs = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(i), 0, CancellationToken.None)));

        var after = engine.Stats;
        var admissions = after.Admissions - before.Admissions;
        Assert.Equal(16, outputs.Length);
        Assert.Equal(16, after.SequencesGenerated - before.SequencesGenerated);
        Assert.True(admissions < 16, $"16 concurrent requests ran in {admissions} admissions");
        Assert.True(16.0 / admissions > 1, $"sequences per admission {16.0 / admissions}");
        Assert.True(after.MeanSequencesPerAdmission > 1);
        Assert.Equal(outputs.Sum(o => (long)o.Tokens.Length), after.TokensGenerated - before.TokensGenerated);
        Assert.Equal(0, after.QueueDepth);
    }

    [Fact]
    public async Task No_batch_exceeds_rollout_max_batch()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        var config = TinyPolicy.Config with { RolloutMaxBatch = 4 };
        var before = engine.Stats;

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i), 0, CancellationToken.None)));

        var admissions = engine.Stats.Admissions - before.Admissions;
        Assert.True(admissions >= 3, $"12 requests with rollout_max_batch = 4 ran in {admissions} admissions");
    }

    [Fact]
    public async Task A_burst_longer_than_the_wait_stays_one_batch_while_its_requests_keep_coming()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        // Eight requests 150 ms apart span 1.05 s, longer than the 1 s wait, but no gap reaches it.
        var config = TinyPolicy.Config with { RolloutMaxBatch = 64, RolloutBatchWaitMs = 1000 };
        var before = engine.Stats;

        var requests = new List<Task<RolloutOutput>>();
        for (var i = 0; i < 8; i++)
        {
            if (i > 0) await Task.Delay(150);
            requests.Add(engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i), 0, CancellationToken.None));
        }
        await Task.WhenAll(requests);

        Assert.Equal(1, engine.Stats.Admissions - before.Admissions);
    }

    [Fact]
    public async Task Whole_groups_start_decoding_without_waiting_out_the_window()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        // A 30 s window: only the groups being whole can start the batch before the 20 s the test allows.
        var config = TinyPolicy.Config with { GroupSize = 4, RolloutMaxBatch = 64, RolloutBatchWaitMs = 30_000 };
        var before = engine.Stats;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i / 4), 0, CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(20));

        var after = engine.Stats;
        Assert.Equal(8, after.SequencesGenerated - before.SequencesGenerated);
        // The first group may start alone if it was whole before the second arrived; the second then joins, sharing its prefill.
        Assert.InRange(after.Admissions - before.Admissions, 1, 2);
        Assert.Equal(2, after.PromptsPrefilled - before.PromptsPrefilled);
    }

    [Fact]
    public async Task A_group_still_arriving_holds_the_batch_until_its_last_sample()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        var config = TinyPolicy.Config with { GroupSize = 4, RolloutMaxBatch = 64, RolloutBatchWaitMs = 2000 };
        var before = engine.Stats;

        var requests = Enumerable.Range(0, 3).Select(_ => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(7), 0, CancellationToken.None)).ToList();
        await WaitUntilAsync(() => engine.Stats.QueueDepth == 3);
        await Task.Delay(300);
        Assert.Equal(3, engine.Stats.QueueDepth);
        requests.Add(engine.GenerateAsync(Run, config, TinyPolicy.Prompt(7), 0, CancellationToken.None));
        await Task.WhenAll(requests);

        var after = engine.Stats;
        Assert.Equal(1, after.Admissions - before.Admissions);
        Assert.Equal(1, after.PromptsPrefilled - before.PromptsPrefilled);
    }

    [Fact]
    public async Task With_rollout_max_batch_one_every_request_runs_alone()
    {
        var (engine, _) = await StartedEngineAsync();
        await using var _engine = engine;
        var config = TinyPolicy.Config with { RolloutMaxBatch = 1 };
        var before = engine.Stats;

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i), 0, CancellationToken.None)));

        Assert.Equal(5, engine.Stats.Admissions - before.Admissions);
    }

    [Fact]
    public async Task Queue_depth_counts_requests_waiting_for_a_batch()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());
        // A long window: the first batch starts when its second request arrives, never with fewer.
        var config = TinyPolicy.Config with { RolloutMaxBatch = 2, RolloutBatchWaitMs = 2000 };

        var requests = Enumerable.Range(0, 4).Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i), 0, CancellationToken.None)).ToArray();
        // The first batch (2 requests) waits for its weights; the other 2 wait in the queue.
        await WaitUntilAsync(() => source.ManifestCalls == 1);
        Assert.Equal(2, engine.Stats.QueueDepth);

        gate.SetResult();
        await Task.WhenAll(requests);
        Assert.Equal(0, engine.Stats.QueueDepth);
        // The first two decode together; the other two join as slots free up: together if both first rows end in the
        // same iteration, one by one otherwise (continuous batching never holds a free slot back for a batch).
        Assert.InRange(engine.Stats.Admissions, 2, 3);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not become true within 10 s");
            await Task.Delay(5);
        }
    }
}
