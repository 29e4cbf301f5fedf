using Grpo.Grains.Rollout;
using Grpo.Grains.Runs;
using TorchSharp;

namespace Grpo.Cluster.Tests.Rollout;

public sealed class RolloutEngineThreadingTests
{
    const string Run = "thread-run";

    static (RolloutEngine Engine, FakeWeightSource Source) NewEngine()
    {
        var source = new FakeWeightSource();
        source.Publish(Run, 1, TinyPolicy.Image(seed: 1));
        return (new RolloutEngine(source, new RunAssetsCache(), new RolloutEngineOptions()), source);
    }

    [Fact]
    public async Task No_tensor_is_ever_created_on_the_calling_thread()
    {
        var (engine, _) = NewEngine();
        await using var _engine = engine;
        var prompts = Enumerable.Range(0, 4).Select(i => TinyPolicy.Prompt(i)).ToArray();

        // TorchSharp counts tensor creations per thread; a dedicated caller thread shows whether any happened on it.
        long createdOnCaller = -1;
        long createdByControl = -1;
        var caller = new Thread(() =>
        {
            DisposeScopeManager.Statistics.Reset();
            var requests = prompts.Select(prompt => engine.GenerateAsync(Run, TinyPolicy.Config, prompt, 0, CancellationToken.None)).ToArray();
            Task.WhenAll(requests).GetAwaiter().GetResult();
            createdOnCaller = DisposeScopeManager.Statistics.TensorStatistics.CreatedInScopeCount
                              + DisposeScopeManager.Statistics.TensorStatistics.CreatedOutsideScopeCount;
            // Control: the counter does see tensors made on this thread.
            using (torch.zeros(2)) { }
            createdByControl = DisposeScopeManager.Statistics.TensorStatistics.CreatedOutsideScopeCount;
        });
        caller.Start();
        await Task.Run(caller.Join);

        Assert.Equal(0, createdOnCaller);
        Assert.Equal(1, createdByControl);
        Assert.Equal(4, engine.Stats.SequencesGenerated);
    }

    [Fact]
    public async Task A_call_returns_at_once_while_its_batch_waits_for_weights()
    {
        var (engine, source) = NewEngine();
        await using var _engine = engine;
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;

        var request = engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);

        Assert.False(request.IsCompleted);
        await RolloutEngineBatchingTests.WaitUntilAsync(() => source.ManifestCalls == 1);
        Assert.False(request.IsCompleted);
        gate.SetResult();
        Assert.Equal(1, (await request).PolicyVersion);
    }

    [Fact]
    public async Task A_cancelled_request_stops_waiting_and_the_others_are_served()
    {
        var (engine, source) = NewEngine();
        await using var _engine = engine;
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;
        using var cancel = new CancellationTokenSource();

        var kept = engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        var dropped = engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(1), 0, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        gate.SetResult();
        Assert.Equal(1, (await kept).PolicyVersion);
        Assert.Equal(TaskStatus.Canceled, engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(2), 0, cancel.Token).Status);
    }

    [Fact]
    public async Task Disposing_fails_waiting_requests_and_refuses_new_ones()
    {
        var (engine, source) = NewEngine();
        var gate = new TaskCompletionSource();
        source.Gate = gate.Task;
        var waiting = engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None);
        await RolloutEngineBatchingTests.WaitUntilAsync(() => source.ManifestCalls == 1);

        await engine.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.GenerateAsync(Run, TinyPolicy.Config, TinyPolicy.Prompt(0), 0, CancellationToken.None));
        await engine.DisposeAsync();
    }
}
