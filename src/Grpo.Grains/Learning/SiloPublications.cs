using System.Collections.Concurrent;

namespace Grpo.Grains.Learning;

/// <summary>
/// The weight publications of the learners active in this silo, by run id (one instance per silo). A rollout engine in
/// the same silo reads its chunks from here instead of through a grain call: Orleans copies a byte[] that a grain
/// returns even to a caller in its own silo, so each pull would otherwise make a second full image of the policy.
/// </summary>
public sealed class SiloPublications
{
    readonly ConcurrentDictionary<string, WeightPublication> runs = new(StringComparer.Ordinal);

    public void Register(string runId, WeightPublication publication) => runs[runId] = publication;

    /// <summary>Forgets <paramref name="publication"/> unless the run has registered a newer one meanwhile.</summary>
    public void Unregister(string runId, WeightPublication publication) =>
        runs.TryRemove(new KeyValuePair<string, WeightPublication>(runId, publication));

    public WeightPublication? Find(string runId) => runs.TryGetValue(runId, out var publication) ? publication : null;
}
