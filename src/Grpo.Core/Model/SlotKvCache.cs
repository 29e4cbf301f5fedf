using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Keys and values of <see cref="Slots"/> independent sequences, [slots, kvHeads, capacity, headDim] per layer, each slot
/// filled from column 0 to its own length. A slot is filled from a prefilled <see cref="KvCache"/>, grows by one column per
/// decode step (<see cref="CausalLM.ForwardSlots"/>) and is released for reuse the moment its sequence ends; columns past
/// a slot's length hold a former occupant's values and are never attended to. The cache owns its tensors; dispose it.
/// </summary>
public sealed class SlotKvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;
    readonly int[] lengths;
    bool disposed;

    internal SlotKvCache(int numLayers, int slots, int numKeyValueHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        if (slots <= 0) throw new ArgumentOutOfRangeException(nameof(slots), slots, "the slot count must be positive");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the slot capacity must be positive");
        Capacity = capacity;
        lengths = new int[slots];
        keys = new Tensor[numLayers];
        values = new Tensor[numLayers];
        for (var layer = 0; layer < numLayers; layer++)
        {
            keys[layer] = zeros([slots, numKeyValueHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            values[layer] = zeros([slots, numKeyValueHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int Slots => lengths.Length;

    /// <summary>Positions each slot can hold (prompt + completion).</summary>
    public int Capacity { get; }

    /// <summary>Positions slot <paramref name="slot"/> holds; 0 when free.</summary>
    public int LengthOf(int slot) => lengths[slot];

    /// <summary>
    /// Gives each of <paramref name="slots"/> the first <paramref name="length"/> positions of row
    /// <paramref name="sourceRow"/> of <paramref name="source"/> (a prompt prefilled right-padded, so its tokens start at
    /// column 0): a group's identical prompts are run through the model once and start decoding in several slots.
    /// </summary>
    internal void Fill(KvCache source, int sourceRow, int length, IReadOnlyList<int> slots)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (source.Layers != keys.Length)
            throw new ArgumentException($"the source KV cache has {source.Layers} layers, the slot cache {keys.Length}", nameof(source));
        if (length <= 0 || length > source.Length || length > Capacity)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"the prompt's length must be positive and within the {source.Length} prefilled positions and a slot's capacity of {Capacity}");
        using var scope = NewDisposeScope();
        for (var layer = 0; layer < keys.Length; layer++)
        {
            var (sourceKeys, sourceValues) = source.Layer(layer);
            var promptKeys = sourceKeys[sourceRow].narrow(1, 0, length);
            var promptValues = sourceValues[sourceRow].narrow(1, 0, length);
            foreach (var slot in slots)
            {
                keys[layer][slot].narrow(1, 0, length).copy_(promptKeys);
                values[layer][slot].narrow(1, 0, length).copy_(promptValues);
            }
        }
        foreach (var slot in slots) lengths[slot] = length;
    }

    internal void Release(int slot) => lengths[slot] = 0;

    /// <summary>The store one decode step of <paramref name="slots"/> (ascending, distinct) writes through.</summary>
    internal IKeyValueStore DecodeStep(IReadOnlyList<int> slots, Tensor slotIndex, Tensor columns, int width)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        for (var i = 0; i < slots.Count; i++)
            if (lengths[slots[i]] >= Capacity)
                throw new InvalidOperationException($"slot {slots[i]} is full: it holds {lengths[slots[i]]} of {Capacity} positions");
        // Slots 0..n-1 in order are a plain view of the cache; any other set is gathered.
        var prefix = slots.Select((slot, i) => slot == i).All(same => same);
        return new SlotDecodeStep(keys, values, slotIndex, columns, width, prefix ? slots.Count : null);
    }

    internal void Advance(IReadOnlyList<int> slots)
    {
        foreach (var slot in slots) lengths[slot]++;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
