using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// The parsed and validated header of one safetensors file. Validation follows the reference implementation:
/// the tensors' byte ranges must tile the data section exactly (no gap, no overlap, nothing left over), so a
/// truncated or padded file is caught before any tensor is read.
/// </summary>
internal sealed class SafeTensorsHeader
{
    // The reference implementation refuses headers above 100 MB; a larger length means a corrupt or foreign file.
    const long MaxHeaderBytes = 100_000_000;
    const string MetadataKey = "__metadata__";

    public required string Path { get; init; }
    public required long DataStart { get; init; }
    public required IReadOnlyList<SafeTensorsEntry> Entries { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public static SafeTensorsHeader Read(string path, SafeFileHandle file)
    {
        var fileLength = RandomAccess.GetLength(file);
        if (fileLength < 8)
            throw new InvalidDataException($"Safetensors file '{path}' is truncated: {fileLength} bytes, fewer than the 8-byte header length.");

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(file, lengthBytes, 0, path);
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (!BitConverter.IsLittleEndian)
            headerLength = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(headerLength);
        if (headerLength > (ulong)(fileLength - 8))
            throw new InvalidDataException($"Safetensors file '{path}' declares a {headerLength}-byte header but only {fileLength - 8} bytes follow the length field (truncated or not a safetensors file).");
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"Safetensors file '{path}' declares a {headerLength}-byte header, above the {MaxHeaderBytes}-byte limit.");

        var headerBytes = new byte[headerLength];
        ReadExactly(file, headerBytes, 8, path);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Safetensors file '{path}' has a header that is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"Safetensors file '{path}' has a header whose JSON is a {document.RootElement.ValueKind}, not an object.");

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new InvalidDataException($"Safetensors file '{path}' lists '{property.Name}' twice in its header.");
                if (property.Name == MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
            }
            CheckTiling(path, entries, dataLength);
            return new SafeTensorsHeader { Path = path, DataStart = dataStart, Entries = entries, Metadata = metadata };
        }
    }

    static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"Safetensors file '{path}': '{MetadataKey}' must be an object of strings, found {value.ValueKind}.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"Safetensors file '{path}': metadata value '{item.Name}' must be a string, found {item.Value.ValueKind}.");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    static SafeTensorsEntry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        string Where() => $"Safetensors file '{path}', tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{Where()}: header entry must be an object, found {value.ValueKind}.");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{Where()}: missing string field 'dtype'.");
        var dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(dtypeName, out var dtype, out var elementSize))
            throw new InvalidDataException($"{Where()}: unknown dtype '{dtypeName}' (supported: {SafeTensorsDType.SupportedNames}).");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{Where()}: missing array field 'shape'.");
        var shape = new long[shapeElement.GetArrayLength()];
        var elementCount = 1L;
        var index = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size) || size < 0)
                throw new InvalidDataException($"{Where()}: shape entry {index} is not a non-negative integer.");
            shape[index++] = size;
            elementCount = CheckedMultiply(elementCount, size, Where);
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw new InvalidDataException($"{Where()}: missing field 'data_offsets' of two integers.");
        var begin = ReadOffset(offsetsElement[0], Where);
        var end = ReadOffset(offsetsElement[1], Where);
        if (begin > end)
            throw new InvalidDataException($"{Where()}: data_offsets [{begin}, {end}] run backwards.");
        if (end > dataLength)
            throw new InvalidDataException($"{Where()}: data_offsets [{begin}, {end}] are out of range: the data section holds {dataLength} bytes (truncated file?).");
        var expectedBytes = CheckedMultiply(elementCount, elementSize, Where);
        if (end - begin != expectedBytes)
            throw new InvalidDataException($"{Where()}: data_offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtypeName} needs {expectedBytes}.");
        return new SafeTensorsEntry(name, dtype, elementSize, shape, begin, end);
    }

    static long ReadOffset(JsonElement element, Func<string> where)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var offset) || offset < 0)
            throw new InvalidDataException($"{where()}: data_offsets must be non-negative integers.");
        return offset;
    }

    static long CheckedMultiply(long a, long b, Func<string> where)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where()}: the tensor's size overflows 64 bits.");
        }
    }

    static void CheckTiling(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        var position = 0L;
        SafeTensorsEntry? previous = null;
        foreach (var entry in ordered)
        {
            if (entry.Begin < position)
                throw new InvalidDataException($"Safetensors file '{path}', tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' ending at {position}.");
            if (entry.Begin > position)
                throw new InvalidDataException($"Safetensors file '{path}', tensor '{entry.Name}': data_offsets start at {entry.Begin}, leaving a gap after byte {position}.");
            position = entry.End;
            previous = entry;
        }
        if (position != dataLength)
            throw new InvalidDataException($"Safetensors file '{path}': the tensors cover {position} bytes but the data section holds {dataLength} bytes.");
    }

    internal static void ReadExactly(SafeFileHandle file, Span<byte> destination, long fileOffset, string path)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(file, destination, fileOffset);
            if (read == 0)
                throw new InvalidDataException($"Safetensors file '{path}' ended early at byte {fileOffset}.");
            destination = destination[read..];
            fileOffset += read;
        }
    }

    public static byte[] Build(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", SafeTensorsDType.NameOf(entry.DType, entry.Name));
                writer.WriteStartArray("shape");
                foreach (var size in entry.Shape)
                    writer.WriteNumberValue(size);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8 so the data section starts aligned, as the reference writer does.
        var padding = (int)((8 - buffer.Length % 8) % 8);
        for (var i = 0; i < padding; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
