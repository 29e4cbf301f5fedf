using Grpo.Core.Runtime;

namespace Grpo.Core.Tests.Runtime;

public sealed class TorchWorkerTests
{
    [Fact]
    public async Task Every_job_runs_on_the_one_dedicated_thread_in_order()
    {
        await using var worker = new TorchWorker("test-torch");
        var threads = new List<int>();
        var order = new List<int>();
        var jobs = Enumerable.Range(0, 20).Select(i => worker.RunAsync(() =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            order.Add(i);
        })).ToArray();
        await Task.WhenAll(jobs);

        Assert.Single(threads.Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads[0]);
        Assert.Equal(Enumerable.Range(0, 20), order);
        Assert.True(await worker.RunAsync(() => worker.IsWorkerThread));
        Assert.False(worker.IsWorkerThread);
    }

    [Fact]
    public async Task A_failing_job_faults_its_task_and_the_worker_goes_on()
    {
        await using var worker = new TorchWorker("test-torch");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => worker.RunAsync<int>(() => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", error.Message);
        Assert.Equal(42, await worker.RunAsync(() => 42));
    }

    [Fact]
    public async Task Work_posted_after_disposal_is_refused()
    {
        var worker = new TorchWorker("test-torch");
        await worker.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => worker.RunAsync(() => 1));
    }
}
