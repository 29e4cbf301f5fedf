using Orleans.Runtime;
using Orleans.Storage;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// Run storage that fails every write while <see cref="ClusterStorage.DatabaseDown"/> (with the database driver's kind of
/// exception, as an outage does), and the next <see cref="ClusterStorage.FailingWrites"/> writes as a briefly unreachable
/// database would; otherwise it behaves like <paramref name="inner"/>. A failed write stores nothing.
/// </summary>
public sealed class FlakyGrainStorage(IGrainStorage inner, ClusterStorage storage) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        storage.RefuseWhileDown()
            ? Task.FromException(new UnreachableDatabaseException($"Failed to connect to the database for {grainId}/{stateName} (injected outage)."))
            : storage.TakeFailingWrite()
            ? Task.FromException(new TimeoutException($"the database did not answer the write of {grainId}/{stateName} (injected)."))
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
