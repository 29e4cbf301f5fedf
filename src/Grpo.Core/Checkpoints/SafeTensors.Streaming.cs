using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>Loading a weight folder straight into a module, one tensor at a time.</summary>
public static partial class SafeTensors
{
    /// <summary>
    /// Copies a weight folder (<c>model.safetensors</c>, or the shards of <c>model.safetensors.index.json</c>) into the
    /// <c>state_dict()</c> entries of <paramref name="module"/> of the same names. Every name and shape is checked from
    /// the headers before any data is read. A tensor stored in the parameter's own dtype on the CPU is read from the file
    /// directly into the parameter's memory; any other (bf16 on disk for a float32 model, a GPU parameter) passes through
    /// one temporary tensor of its own size. So loading needs no second copy of the model, as
    /// <see cref="LoadDirectory"/> followed by <see cref="WeightLoader.LoadInto"/> does. A read that fails part-way (the
    /// file shrank) leaves the module partly loaded.
    /// </summary>
    public static void LoadDirectoryInto(string directory, nn.Module module, string sourceName, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        EnsureLittleEndianHost();
        var headers = Headers(directory);
        var located = new Dictionary<string, (SafeTensorsHeader Header, SafeTensorsEntry Entry)>(StringComparer.Ordinal);
        foreach (var (header, names) in headers)
            foreach (var entry in header.Entries.Where(e => names is null || names.Contains(e.Name)))
                located[entry.Name] = (header, entry);
        var targets = WeightLoader.Match(module, located.ToDictionary(p => p.Key, p => p.Value.Entry.Shape, StringComparer.Ordinal), sourceName, strict);

        using var noGrad = no_grad();
        foreach (var byFile in targets.GroupBy(t => located[t.Name].Header.Path, StringComparer.Ordinal))
        {
            using var file = File.OpenHandle(byFile.Key, FileMode.Open, FileAccess.Read, FileShare.Read);
            foreach (var (name, target) in byFile)
            {
                var (header, entry) = located[name];
                var fileOffset = header.DataStart + entry.Begin;
                if (target.device_type == DeviceType.CPU && target.dtype == entry.DType && target.is_contiguous())
                {
                    TensorFileIO.ReadInto(file, fileOffset, target, header.Path);
                    continue;
                }
                using var staged = empty(entry.Shape, entry.DType);
                TensorFileIO.ReadInto(file, fileOffset, staged, header.Path);
                target.copy_(staged);
            }
        }
    }

    /// <summary>Each weight file's header with the names the folder takes from it (null: all of them, for a single file).</summary>
    static List<(SafeTensorsHeader Header, HashSet<string>? Names)> Headers(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single)) return [(ReadHeader(single), null)];
        var index = Path.Combine(directory, IndexFileName);
        if (!File.Exists(index))
            throw new FileNotFoundException($"Weight folder '{directory}' holds neither '{SingleFileName}' nor '{IndexFileName}'.", single);
        var result = new List<(SafeTensorsHeader, HashSet<string>?)>();
        foreach (var shard in ReadWeightMap(index).GroupBy(pair => pair.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shardPath = Path.Combine(directory, shard.Key);
            if (!File.Exists(shardPath))
                throw new InvalidDataException($"Shard index '{index}' maps tensor '{shard.First().Key}' to '{shard.Key}', but '{shardPath}' does not exist.");
            var header = ReadHeader(shardPath);
            var names = shard.Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);
            if (names.FirstOrDefault(name => header.Entries.All(e => e.Name != name)) is { } absent)
                throw new InvalidDataException($"Shard index '{index}' maps tensor '{absent}' to '{shard.Key}', but '{shardPath}' does not contain it.");
            // Tensors a shard holds beyond the index are not part of the model, as in Hugging Face's loader.
            result.Add((header, names));
        }
        return result;
    }

    static SafeTensorsHeader ReadHeader(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return SafeTensorsHeader.Read(path, file);
    }
}
