using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEnginePrefillTests
{
    const string Run = "prefill-run";

    [Fact]
    public async Task A_batch_prefills_each_distinct_prompt_once()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());
        await engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        // The batch closes when it is full (8), long before the wait runs out, so all eight requests share one batch.
        var config = TinyPolicy.Config with { RolloutMaxBatch = 8, RolloutBatchWaitMs = 30_000 };
        var before = engine.Stats;

        var outputs = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i % 2), 0, CancellationToken.None)));

        var after = engine.Stats;
        Assert.Equal(8, outputs.Length);
        Assert.Equal(1, after.Admissions - before.Admissions);
        Assert.Equal(2, after.PromptsPrefilled - before.PromptsPrefilled);
    }

    [Fact]
    public async Task Waiting_requests_of_one_prompt_are_batched_together_even_when_they_arrived_interleaved()
    {
        var source = new FakeWeightSource();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Gate = gate.Task;
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions());
        var config = TinyPolicy.Config with { RolloutMaxBatch = 8, RolloutBatchWaitMs = 0 };

        // The first request holds the engine in its weight pull, so the next sixteen all wait in the queue together.
        var first = engine.GenerateAsync(Run, config, TinyPolicy.Prompt(5), 1, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (source.ManifestCalls == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(1, source.ManifestCalls);
        var interleaved = Enumerable.Range(0, 16)
            .Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i % 2), 1, CancellationToken.None)).ToArray();
        var afterFirst = engine.Stats;
        gate.SetResult();
        await first;
        await Task.WhenAll(interleaved);

        var after = engine.Stats;
        Assert.Equal(0, afterFirst.PromptsPrefilled);
        // Two batches of eight, one prompt each: two prefills. Arrival order (A, B, A, B, ...) would have needed four.
        Assert.Equal(3, after.Admissions);
        Assert.Equal(3, after.PromptsPrefilled);
    }
}
