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
        Assert.Equal(1, after.BatchesRun - before.BatchesRun);
        Assert.Equal(2, after.PromptsPrefilled - before.PromptsPrefilled);
    }
}
