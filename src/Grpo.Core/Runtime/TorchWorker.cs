using System.Threading.Channels;

namespace Grpo.Core.Runtime;

/// <summary>
/// A dedicated thread that runs all torch work of one engine. TorchSharp's dispose scopes and grad mode belong to
/// a thread, and libtorch work would otherwise block the callers' threads (Orleans' scheduler threads among them),
/// so engines post work here and only await it.
/// </summary>
public sealed class TorchWorker : IAsyncDisposable
{
    readonly Channel<Action> work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    readonly Thread thread;

    public TorchWorker(string name)
    {
        TorchRuntime.EnsureAvailable();
        thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    public bool IsWorkerThread => Thread.CurrentThread == thread;

    public Task<T> RunAsync<T>(Func<T> job)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var accepted = work.Writer.TryWrite(() =>
        {
            try { completion.SetResult(job()); }
            catch (Exception e) { completion.SetException(e); }
        });
        if (!accepted) completion.SetException(new ObjectDisposedException(thread.Name, "the torch worker has stopped."));
        return completion.Task;
    }

    public Task RunAsync(Action job) => RunAsync(() => { job(); return true; });

    void Run()
    {
        var reader = work.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var job))
                job();
    }

    public async ValueTask DisposeAsync()
    {
        work.Writer.TryComplete();
        await Task.Run(thread.Join).ConfigureAwait(false);
    }
}
