using System.Diagnostics;
using Grpo.Abstractions.Contracts;
using Grpo.Cluster.Tests.Rollout;
using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>
/// Four requests on a real rollout engine whose weights are held back: the first batch of two waits for the weights,
/// the other two wait in the queue, so the queue depth is known while <see cref="WhileWaiting"/> runs and every
/// request has waited at least as long as the weights were held back.
/// </summary>
internal static class GatedRolloutScenario
{
    const string Run = "gated-run";
    public const int Requests = 4;
    public const int WaitingWhileGated = 2;
    /// <summary>The requests of the first batch (rollout_max_batch), which wait for the weights in their slots.</summary>
    public const int FirstBatch = 2;

    public sealed record Outcome(IReadOnlyList<RolloutOutput> Outputs, TimeSpan HeldBack);

    /// <param name="engineName">A name no other test uses, so its measurements can be told apart from other engines'.</param>
    /// <param name="whileWaiting">Runs while two requests wait in the queue and two wait for weights.</param>
    /// <param name="whenServed">Runs once every request is served, before the engine is disposed (and so stops being reported).</param>
    public static async Task<Outcome> RunAsync(string engineName, Func<Task> whileWaiting, Func<Task> whenServed)
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;
        await using var engine = new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions { WorkerName = engineName });
        // A long window: the first batch starts when its second request arrives, never with fewer.
        var config = TinyPolicy.Config with { RolloutMaxBatch = FirstBatch, RolloutBatchWaitMs = 2000 };

        var requests = Enumerable.Range(0, Requests).Select(i => engine.GenerateAsync(Run, config, TinyPolicy.Prompt(i), 0, CancellationToken.None)).ToArray();
        // Started once every request has arrived, so no request waits less than HeldBack.
        var sent = Stopwatch.StartNew();
        await RolloutEngineBatchingTests.WaitUntilAsync(() => source.ManifestCalls == 1);
        Assert.Equal(WaitingWhileGated, engine.Stats.QueueDepth);
        Assert.Equal(FirstBatch, engine.Stats.BusySlots);
        await whileWaiting();
        var heldBack = sent.Elapsed;
        gate.SetResult();
        var outputs = await Task.WhenAll(requests);
        Assert.Equal(0, engine.Stats.QueueDepth);
        await RolloutEngineBatchingTests.WaitUntilAsync(() => engine.Stats.BusySlots == 0);
        await whenServed();
        return new Outcome(outputs, heldBack);
    }
}
