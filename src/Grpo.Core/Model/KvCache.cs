using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Preallocated keys and values of every layer, [batch, kvHeads, capacity, headDim] each, filled left to right.
/// New tokens are written into slices in place, so decoding never reallocates or concatenates.
/// The cache owns its tensors (they are detached from any dispose scope); dispose it when done.
/// </summary>
public sealed class KvCache : IKeyValueStore, IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;
    bool disposed;

    internal KvCache(int numLayers, int batchSize, int numKeyValueHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "KV cache batch size must be positive");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "KV cache capacity (maxLength) must be positive");
        BatchSize = batchSize;
        Capacity = capacity;
        keys = new Tensor[numLayers];
        values = new Tensor[numLayers];
        for (var layer = 0; layer < numLayers; layer++)
        {
            keys[layer] = zeros([batchSize, numKeyValueHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            values[layer] = zeros([batchSize, numKeyValueHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int BatchSize { get; }
    public int Capacity { get; }

    /// <summary>Number of positions already written (the same for every row; pads count).</summary>
    public int Length { get; private set; }

    public int Remaining => Capacity - Length;

    internal void EnsureRoom(int newTokens)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Length + newTokens > Capacity)
            throw new InvalidOperationException(
                $"KV cache overflow: it holds {Length} of {Capacity} positions and {newTokens} more were given; create the cache with a larger maxLength");
    }

    /// <summary>Writes this layer's new keys/values [B, kvHeads, T, D] after the current length and returns views of everything so far.</summary>
    (Tensor Keys, Tensor Values) IKeyValueStore.Write(int layer, Tensor newKeys, Tensor newValues)
    {
        var count = (int)newKeys.shape[2];
        keys[layer].narrow(2, Length, count).copy_(newKeys);
        values[layer].narrow(2, Length, count).copy_(newValues);
        return (keys[layer].narrow(2, 0, Length + count), values[layer].narrow(2, 0, Length + count));
    }

    internal void Advance(int count) => Length += count;

    /// <summary>Layer <paramref name="layer"/>'s whole key and value tensors, [B, kvHeads, capacity, headDim].</summary>
    internal (Tensor Keys, Tensor Values) Layer(int layer) => (keys[layer], values[layer]);

    internal int Layers => keys.Length;

    /// <summary>
    /// Fills this empty cache from <paramref name="source"/>: row r gets source row <paramref name="sourceRows"/>[r] for
    /// every position the source holds. Lets a prompt prefilled once serve every row that samples from it.
    /// </summary>
    internal void CopyRowsFrom(KvCache source, Tensor sourceRows)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ObjectDisposedException.ThrowIf(source.disposed, source);
        if (Length != 0)
            throw new InvalidOperationException($"KV cache rows can only be copied into an empty cache; this one already holds {Length} positions");
        if (source.keys.Length != keys.Length)
            throw new ArgumentException($"the source KV cache has {source.keys.Length} layers, this one {keys.Length}", nameof(source));
        if (sourceRows.dim() != 1 || sourceRows.shape[0] != BatchSize)
            throw new ArgumentException($"sourceRows must name one source row for each of the {BatchSize} rows, got [{string.Join(", ", sourceRows.shape)}]", nameof(sourceRows));
        EnsureRoom(source.Length);
        using var scope = NewDisposeScope();
        for (var layer = 0; layer < keys.Length; layer++)
        {
            keys[layer].narrow(2, 0, source.Length).copy_(source.keys[layer].narrow(2, 0, source.Length).index_select(0, sourceRows));
            values[layer].narrow(2, 0, source.Length).copy_(source.values[layer].narrow(2, 0, source.Length).index_select(0, sourceRows));
        }
        Length = source.Length;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
