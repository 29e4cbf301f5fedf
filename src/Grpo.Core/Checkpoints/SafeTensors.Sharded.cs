using System.Text.Json;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>Hugging Face weight folders: one <c>model.safetensors</c>, or shards listed by <c>model.safetensors.index.json</c>.</summary>
public static partial class SafeTensors
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Loads a weight folder, preferring <c>model.safetensors</c> and otherwise following the shard index.</summary>
    public static Dictionary<string, Tensor> LoadDirectory(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single))
            return Load(single);
        var index = Path.Combine(directory, IndexFileName);
        if (!File.Exists(index))
            throw new FileNotFoundException($"Weight folder '{directory}' holds neither '{SingleFileName}' nor '{IndexFileName}'.", single);

        var weightMap = ReadWeightMap(index);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var shard in weightMap.GroupBy(pair => pair.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var shardPath = Path.Combine(directory, shard.Key);
                if (!File.Exists(shardPath))
                    throw new InvalidDataException($"Shard index '{index}' maps tensor '{shard.First().Key}' to '{shard.Key}', but '{shardPath}' does not exist.");
                var loaded = Load(shardPath);
                foreach (var (name, _) in shard)
                {
                    if (!loaded.Remove(name, out var tensor))
                    {
                        foreach (var leftover in loaded.Values)
                            leftover.Dispose();
                        throw new InvalidDataException($"Shard index '{index}' maps tensor '{name}' to '{shard.Key}', but '{shardPath}' does not contain it.");
                    }
                    result.Add(name, tensor);
                }
                // Tensors a shard holds beyond the index are not part of the model, as in Hugging Face's loader.
                foreach (var extra in loaded.Values)
                    extra.Dispose();
            }
        }
        catch
        {
            foreach (var tensor in result.Values)
                tensor.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// Writes the tensors as Hugging Face shards of at most <paramref name="maxShardBytes"/> each (a larger tensor gets a
    /// shard of its own) plus the index, or as one <c>model.safetensors</c> when everything fits in one shard.
    /// Weight files of an earlier save in the folder that this save does not produce are removed.
    /// </summary>
    public static void SaveSharded(string directory, IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        Directory.CreateDirectory(directory);

        var shards = new List<List<string>>();
        var current = new List<string>();
        var currentBytes = 0L;
        var totalBytes = 0L;
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            var size = ByteSize(name, tensors[name]);
            if (current.Count > 0 && currentBytes + size > maxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(name);
            currentBytes += size;
            totalBytes += size;
        }
        if (current.Count > 0 || shards.Count == 0)
            shards.Add(current);

        var formatMetadata = new Dictionary<string, string> { ["format"] = "pt" };
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (shards.Count == 1)
        {
            Save(Path.Combine(directory, SingleFileName), tensors, formatMetadata);
            written.Add(SingleFileName);
        }
        else
        {
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < shards.Count; i++)
            {
                var fileName = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                Save(Path.Combine(directory, fileName), shards[i].ToDictionary(name => name, name => tensors[name], StringComparer.Ordinal), formatMetadata);
                foreach (var name in shards[i])
                    weightMap[name] = fileName;
                written.Add(fileName);
            }
            WriteIndex(Path.Combine(directory, IndexFileName), totalBytes, weightMap);
            written.Add(IndexFileName);
        }
        RemoveStaleWeightFiles(directory, written);
    }

    static readonly Regex ShardFileName = new(@"^model-\d{5}-of-\d{5}\.safetensors$", RegexOptions.CultureInvariant);

    static void RemoveStaleWeightFiles(string directory, HashSet<string> keep)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            var isWeightFile = name is SingleFileName or IndexFileName || ShardFileName.IsMatch(name);
            if (isWeightFile && !keep.Contains(name))
                File.Delete(file);
        }
    }

    static void WriteIndex(string path, long totalBytes, SortedDictionary<string, string> weightMap)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("metadata");
                writer.WriteNumber("total_size", totalBytes);
                writer.WriteEndObject();
                writer.WriteStartObject("weight_map");
                foreach (var (name, file) in weightMap)
                    writer.WriteString(name, file);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Shard index '{indexPath}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"Shard index '{indexPath}' has no 'weight_map' object.");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                // A shard name that leaves the folder would read arbitrary files.
                if (file.Length == 0 || file != Path.GetFileName(file))
                    throw new InvalidDataException($"Shard index '{indexPath}': tensor '{entry.Name}' maps to '{entry.Value}', which is not a file name in the folder.");
                result[entry.Name] = file;
            }
            return result;
        }
    }
}
