namespace Grpo.Grains.Rollout;

/// <summary>
/// Requests taken off the engine's channel, kept per run because a batch holds requests of one run only.
/// Used by the engine's loop alone, so it needs no locking.
/// </summary>
internal sealed class RolloutQueue
{
    readonly Dictionary<string, Queue<PendingRollout>> byRun = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public void Add(PendingRollout request)
    {
        if (!byRun.TryGetValue(request.RunId, out var queue))
            byRun[request.RunId] = queue = new Queue<PendingRollout>();
        queue.Enqueue(request);
        Count++;
    }

    /// <summary>The request that has waited longest over all runs, or null when nothing waits.</summary>
    public PendingRollout? Oldest()
    {
        PendingRollout? oldest = null;
        foreach (var queue in byRun.Values)
            if (queue.TryPeek(out var head) && (oldest is null || head.Arrival < oldest.Arrival))
                oldest = head;
        return oldest;
    }

    public int CountFor(string runId) => byRun.TryGetValue(runId, out var queue) ? queue.Count : 0;

    /// <summary>
    /// Removes up to <paramref name="max"/> live requests of the run, oldest first; abandoned ones met on the way are
    /// removed too and counted in <paramref name="removed"/> along with the taken ones.
    /// </summary>
    public List<PendingRollout> Take(string runId, int max, out int removed)
    {
        var batch = new List<PendingRollout>();
        removed = 0;
        if (!byRun.TryGetValue(runId, out var queue)) return batch;
        while (batch.Count < max && queue.TryDequeue(out var request))
        {
            removed++;
            if (!request.IsAbandoned) batch.Add(request);
        }
        Count -= removed;
        if (queue.Count == 0) byRun.Remove(runId);
        return batch;
    }

    /// <summary>Empties the queue, returning everything that was in it.</summary>
    public List<PendingRollout> Clear()
    {
        var all = byRun.Values.SelectMany(queue => queue).ToList();
        byRun.Clear();
        Count = 0;
        return all;
    }
}
