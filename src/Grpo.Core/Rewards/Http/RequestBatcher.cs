namespace Grpo.Core.Rewards.Http;

/// <summary>
/// Gathers items that arrive one at a time into batches: the first item of a batch waits at most
/// <c>wait</c> for others, and a batch that reaches <c>maxBatch</c> items is sent at once. Each item's task completes
/// with its own result, or fails with the batch's exception.
/// </summary>
public sealed class RequestBatcher<TItem, TResult>
{
    readonly TimeSpan wait;
    readonly int maxBatch;
    readonly Func<IReadOnlyList<TItem>, Task<TResult[]>> send;
    readonly Lock gate = new();
    List<Pending> pending = [];
    long window;

    public RequestBatcher(TimeSpan wait, int maxBatch, Func<IReadOnlyList<TItem>, Task<TResult[]>> send)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        ArgumentNullException.ThrowIfNull(send);
        (this.wait, this.maxBatch, this.send) = (wait, maxBatch, send);
    }

    public Task<TResult> Add(TItem item)
    {
        var entry = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        List<Pending>? full = null;
        long? timerWindow = null;
        lock (gate)
        {
            pending.Add(entry);
            if (pending.Count >= maxBatch) full = TakeBatch();
            else if (pending.Count == 1) timerWindow = window;
        }

        if (full is not null) _ = SendAsync(full);
        else if (timerWindow is { } opened) _ = SendWhenDueAsync(opened);
        return entry.Result.Task;
    }

    async Task SendWhenDueAsync(long opened)
    {
        await Task.Delay(wait).ConfigureAwait(false);
        List<Pending>? due = null;
        lock (gate)
        {
            // A batch filled up meanwhile was sent already; a newer window has its own timer.
            if (window == opened && pending.Count > 0) due = TakeBatch();
        }
        if (due is not null) await SendAsync(due).ConfigureAwait(false);
    }

    List<Pending> TakeBatch()
    {
        var batch = pending;
        pending = [];
        window++;
        return batch;
    }

    async Task SendAsync(List<Pending> batch)
    {
        try
        {
            var results = await send([.. batch.Select(entry => entry.Item)]).ConfigureAwait(false);
            if (results.Length != batch.Count)
                throw new InvalidOperationException($"{results.Length} results for a batch of {batch.Count} items.");
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception e)
        {
            foreach (var entry in batch)
            {
                entry.Result.TrySetException(e);
            }
        }
    }

    sealed record Pending(TItem Item, TaskCompletionSource<TResult> Result);
}
