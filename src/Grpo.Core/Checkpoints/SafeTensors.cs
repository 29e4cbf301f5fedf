using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian tensor data.
/// </summary>
public static partial class SafeTensors
{
    /// <summary>Loads every tensor of the file onto the CPU in its stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        EnsureLittleEndianHost();
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var header = SafeTensorsHeader.Read(path, file);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                var tensor = empty(entry.Shape, entry.DType);
                tensors.Add(entry.Name, tensor);
                TensorFileIO.ReadInto(file, header.DataStart + entry.Begin, tensor, path);
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw;
        }
        return tensors;
    }

    /// <summary>The header's <c>__metadata__</c> strings (empty when the file has none).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return SafeTensorsHeader.Read(path, file).Metadata;
    }

    /// <summary>
    /// Writes the tensors, each in its own dtype, to a temporary file beside <paramref name="path"/> and renames it into
    /// place, so a reader never sees a half-written file.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureLittleEndianHost();
        var fullPath = System.IO.Path.GetFullPath(path);
        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>The number of bytes the tensor's data occupies in a safetensors file.</summary>
    internal static long ByteSize(string name, Tensor tensor) => tensor.NumberOfElements * SafeTensorsDType.SizeOf(tensor.dtype, name);

    static void WriteTo(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        // Data goes widest dtype first (then by name), as in the reference writer, so every tensor starts aligned to its
        // element size and readers that map the file can use it in place.
        var order = tensors
            .Select(pair => (pair.Key, Tensor: pair.Value, Size: SafeTensorsDType.SizeOf(pair.Value.dtype, pair.Key)))
            .OrderByDescending(item => item.Size)
            .ThenBy(item => item.Key, StringComparer.Ordinal)
            .ToList();

        var entries = new List<SafeTensorsEntry>(order.Count);
        var offset = 0L;
        foreach (var (name, tensor, size) in order)
        {
            var length = tensor.NumberOfElements * size;
            entries.Add(new SafeTensorsEntry(name, tensor.dtype, size, tensor.shape, offset, offset + length));
            offset += length;
        }

        var header = SafeTensorsHeader.Build(entries, metadata);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        foreach (var (_, tensor, _) in order)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            TensorFileIO.WriteFrom(cpu, stream);
        }
    }

    static void EnsureLittleEndianHost()
    {
        // Tensor memory is copied verbatim; safetensors data is little-endian.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Safetensors I/O here copies tensor memory verbatim and needs a little-endian host.");
    }
}
