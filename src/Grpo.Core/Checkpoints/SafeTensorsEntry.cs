using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>One tensor's header entry; <see cref="Begin"/> and <see cref="End"/> are relative to the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, ScalarType DType, int ElementSize, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}
