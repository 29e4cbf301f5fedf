using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Moves a tensor's raw bytes between a file and native tensor memory in bounded chunks, so neither a tensor nor a
/// file above 2 GB ever passes through one managed array or one span.
/// </summary>
internal static class TensorFileIO
{
    public const long DefaultChunkBytes = 64L << 20;

    /// <summary>Fills <paramref name="destination"/> (contiguous, on the CPU) from the file at <paramref name="fileOffset"/>.</summary>
    public static void ReadInto(SafeFileHandle file, long fileOffset, Tensor destination, string path, long chunkBytes = DefaultChunkBytes)
    {
        ForEachChunk(destination, chunkBytes, chunk =>
        {
            SafeTensorsHeader.ReadExactly(file, chunk.bytes, fileOffset, path);
            fileOffset += chunk.NumberOfElements * chunk.ElementSize;
        });
    }

    /// <summary>Writes the bytes of <paramref name="source"/> (contiguous, on the CPU) in native little-endian order.</summary>
    public static void WriteFrom(Tensor source, Stream stream, long chunkBytes = DefaultChunkBytes) =>
        ForEachChunk(source, chunkBytes, chunk => stream.Write(chunk.bytes));

    static void ForEachChunk(Tensor tensor, long chunkBytes, Action<Tensor> action)
    {
        var count = tensor.NumberOfElements;
        if (count == 0)
            return;
        var elementsPerChunk = Math.Max(1, chunkBytes / tensor.ElementSize);
        using var flat = tensor.view(-1);
        for (var start = 0L; start < count; start += elementsPerChunk)
        {
            using var chunk = flat.narrow(0, start, Math.Min(elementsPerChunk, count - start));
            action(chunk);
        }
    }
}
