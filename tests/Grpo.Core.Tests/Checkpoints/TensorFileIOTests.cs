using Grpo.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Tests.Checkpoints;

/// <summary>Large tensors move in chunks; a tiny chunk size exercises the chunk boundaries without gigabytes of data.</summary>
public sealed class TensorFileIOTests
{
    [Fact]
    public void ChunkedWriteAndReadCrossChunkBoundariesExactly()
    {
        using var folder = new TempFolder();
        var values = Enumerable.Range(0, 1001).Select(i => i * 0.5f - 7f).ToArray();
        using var source = tensor(values).reshape(7, 143);
        var path = folder.File("raw.bin");

        using (var stream = File.Create(path))
        {
            stream.Write(new byte[5]);
            // 12 bytes a chunk: three floats, so 1001 floats end in a partial chunk.
            TensorFileIO.WriteFrom(source, stream, chunkBytes: 12);
        }
        Assert.Equal(new byte[5].Concat(HandBuiltSafeTensors.Float32(values)).ToArray(), File.ReadAllBytes(path));

        using var destination = empty(7, 143);
        using (var file = File.OpenHandle(path))
            TensorFileIO.ReadInto(file, 5, destination, path, chunkBytes: 12);
        Assert.Equal(values, destination.data<float>().ToArray());
    }
}
