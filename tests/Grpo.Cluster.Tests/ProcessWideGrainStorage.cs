using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grpo.Cluster.Tests;

/// <summary>
/// Run storage for in-process test clusters that outlives any one silo, as PostgreSQL does for a real cluster.
/// Orleans' in-memory storage keeps state in grains spread over the silos, so killing a silo would also lose run
/// state, which is not the failure a rollout-silo test means to inject. State is stored serialized, with ETags.
/// </summary>
public sealed class ProcessWideGrainStorage(Serializer serializer, ConcurrentDictionary<string, (byte[] State, string ETag)> store) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.TryGetValue(Key(stateName, grainId), out var entry))
        {
            grainState.State = serializer.Deserialize<T>(entry.State);
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var bytes = serializer.SerializeToArray(grainState.State);
        store.AddOrUpdate(key,
            _ => grainState.ETag is null ? (bytes, etag) : throw new InconsistentStateException($"{key}: no stored state for ETag {grainState.ETag}."),
            (_, current) => current.ETag == grainState.ETag ? (bytes, etag) : throw new InconsistentStateException($"{key}: ETag {grainState.ETag} is stale."));
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    static string Key(string stateName, GrainId grainId) => $"{grainId}/{stateName}";
}
