using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Where an attention layer keeps the keys and values of a cached forward: a <see cref="KvCache"/> whose rows share one
/// length, or one decode step over rows of a <see cref="SlotKvCache"/>, each at its own length.
/// </summary>
public interface IKeyValueStore
{
    /// <summary>
    /// Stores layer <paramref name="layer"/>'s new keys/values [B, kvHeads, T, headDim] after each row's cached ones and
    /// returns the keys and values every new query may attend to, [B, kvHeads, S, headDim].
    /// </summary>
    (Tensor Keys, Tensor Values) Write(int layer, Tensor newKeys, Tensor newValues);
}
