namespace Grpo.Grains.Rollout;

/// <summary>
/// Requests taken off the engine's channel, kept per run because a batch holds requests of one run only.
/// Used by the engine's loop alone, so it needs no locking.
/// </summary>
internal sealed class RolloutQueue
{
    // Per run, in order of arrival.
    readonly Dictionary<string, List<PendingRollout>> byRun = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public void Add(PendingRollout request)
    {
        if (!byRun.TryGetValue(request.RunId, out var queue))
            byRun[request.RunId] = queue = [];
        queue.Add(request);
        Count++;
    }

    /// <summary>The request that has waited longest over all runs, or null when nothing waits.</summary>
    public PendingRollout? Oldest()
    {
        PendingRollout? oldest = null;
        foreach (var queue in byRun.Values)
            if (queue.Count > 0 && (oldest is null || queue[0].Arrival < oldest.Arrival))
                oldest = queue[0];
        return oldest;
    }

    public int CountFor(string runId) => byRun.TryGetValue(runId, out var queue) ? queue.Count : 0;

    /// <summary>
    /// Whether the run has live requests and each of its waiting prompts has a whole number of groups of
    /// <paramref name="groupSize"/> samples: every group that began arriving has arrived.
    /// </summary>
    public bool HoldsWholeGroups(string runId, int groupSize)
    {
        if (groupSize < 1 || !byRun.TryGetValue(runId, out var queue)) return false;
        var counts = new Dictionary<int[], int>(PromptComparer.Instance);
        foreach (var request in queue)
            if (!request.IsAbandoned) counts[request.PromptTokens] = counts.GetValueOrDefault(request.PromptTokens) + 1;
        return counts.Count > 0 && counts.Values.All(count => count % groupSize == 0);
    }

    /// <summary>
    /// Removes up to <paramref name="max"/> live requests of the run, oldest first, except that the oldest request
    /// brings the waiting requests with the same prompt along: a group's samples then share one batch and so one
    /// prompt prefill, instead of being split over batches by the order they arrived in. Abandoned requests are
    /// dropped as well and counted in <paramref name="removed"/> along with the taken ones.
    /// </summary>
    public List<PendingRollout> Take(string runId, int max, out int removed)
    {
        var batch = new List<PendingRollout>();
        removed = 0;
        if (!byRun.TryGetValue(runId, out var queue)) return batch;
        removed = queue.RemoveAll(request => request.IsAbandoned);

        var taken = new bool[queue.Count];
        for (var lead = 0; lead < queue.Count && batch.Count < max; lead++)
        {
            if (taken[lead]) continue;
            var prompt = queue[lead].PromptTokens;
            for (var i = lead; i < queue.Count && batch.Count < max; i++)
            {
                if (taken[i] || !queue[i].PromptTokens.AsSpan().SequenceEqual(prompt)) continue;
                taken[i] = true;
                batch.Add(queue[i]);
            }
        }
        var waiting = queue.Where((_, i) => !taken[i]).ToList();
        removed += batch.Count;
        Count -= removed;
        if (waiting.Count == 0) byRun.Remove(runId);
        else byRun[runId] = waiting;
        return batch;
    }

    /// <summary>
    /// Removes the run's oldest live request together with every waiting request of the same prompt (its group), if
    /// <paramref name="fits"/> accepts the whole group; otherwise takes nothing, so a group is never split over
    /// admissions and keeps sharing one prefill. Abandoned requests are dropped and counted in <paramref name="removed"/>.
    /// </summary>
    public List<PendingRollout> TakeGroup(string runId, Func<List<PendingRollout>, bool> fits, out int removed)
    {
        removed = 0;
        if (!byRun.TryGetValue(runId, out var queue)) return [];
        removed = queue.RemoveAll(request => request.IsAbandoned);
        Count -= removed;
        var group = queue.Count == 0 ? [] : queue.Where(request => request.PromptTokens.AsSpan().SequenceEqual(queue[0].PromptTokens)).ToList();
        if (group.Count == 0 || !fits(group))
        {
            if (queue.Count == 0) byRun.Remove(runId);
            return [];
        }
        queue.RemoveAll(group.Contains);
        Count -= group.Count;
        removed += group.Count;
        if (queue.Count == 0) byRun.Remove(runId);
        return group;
    }

    /// <summary>Empties the queue, returning everything that was in it.</summary>
    public List<PendingRollout> Clear()
    {
        var all = byRun.Values.SelectMany(queue => queue).ToList();
        byRun.Clear();
        Count = 0;
        return all;
    }

    sealed class PromptComparer : IEqualityComparer<int[]>
    {
        public static readonly PromptComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] tokens)
        {
            var hash = new HashCode();
            foreach (var token in tokens) hash.Add(token);
            return hash.ToHashCode();
        }
    }
}
