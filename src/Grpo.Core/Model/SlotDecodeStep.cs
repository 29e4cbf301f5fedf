using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// One decode step over some slots of a <see cref="SlotKvCache"/>: row a's new key/value goes to column
/// <c>columns[a]</c> (its slot's length) of slot <c>slotIndex[a]</c>, and the step attends to the first
/// <c>width</c> columns of those slots (the mask hides what lies past each row's own length).
/// </summary>
/// <param name="prefixCount">set when the slots are 0..n-1 in order: they are read as a view instead of gathered</param>
internal sealed class SlotDecodeStep(Tensor[] keys, Tensor[] values, Tensor slotIndex, Tensor columns, int width, int? prefixCount) : IKeyValueStore
{
    public (Tensor Keys, Tensor Values) Write(int layer, Tensor newKeys, Tensor newValues)
    {
        if (newKeys.shape[2] != 1)
            throw new ArgumentException($"a slot decode step takes one new token per row, got {newKeys.shape[2]}", nameof(newKeys));
        // Seen as [slots, capacity, kvHeads, headDim], (slot, column) pairs index one head-by-dim block each.
        keys[layer].transpose(1, 2).index_put_(newKeys.squeeze(2), slotIndex, columns);
        values[layer].transpose(1, 2).index_put_(newValues.squeeze(2), slotIndex, columns);
        return prefixCount is { } count
            ? (keys[layer].narrow(0, 0, count).narrow(2, 0, width), values[layer].narrow(0, 0, count).narrow(2, 0, width))
            : (keys[layer].narrow(2, 0, width).index_select(0, slotIndex), values[layer].narrow(2, 0, width).index_select(0, slotIndex));
    }
}
