using System.Security.Cryptography;
using System.Text.Json;

namespace Grpo.Core.Checkpoints;

/// <summary>Reads and writes <c>trainer_state.json</c>: the training state plus a SHA-256 of each checkpoint file.</summary>
internal static class TrainerStateFile
{
    public const string FileName = "trainer_state.json";
    public const int FormatVersion = 1;

    public sealed record FileDigest(string Name, long Length, string Sha256);

    public sealed record Contents(TrainingState State, IReadOnlyList<FileDigest> Files);

    public static FileDigest Digest(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = SHA256.HashData(stream);
        return new FileDigest(name, stream.Length, Convert.ToHexStringLower(hash));
    }

    public static void Write(string path, TrainingState state, IEnumerable<FileDigest> files)
    {
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format_version", FormatVersion);
            writer.WriteNumber("step", state.Step);
            writer.WriteNumber("policy_version", state.PolicyVersion);
            writer.WriteNumber("data_cursor", state.DataCursor);
            writer.WriteString("rng_state", Convert.ToBase64String(state.RngState));
            writer.WriteStartObject("extra");
            foreach (var (key, value) in state.Extra.OrderBy(p => p.Key, StringComparer.Ordinal))
                writer.WriteString(key, value);
            writer.WriteEndObject();
            writer.WriteStartObject("files");
            foreach (var file in files)
            {
                writer.WriteStartObject(file.Name);
                writer.WriteNumber("bytes", file.Length);
                writer.WriteString("sha256", file.Sha256);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    public static Contents Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Trainer state '{path}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"Trainer state '{path}' is a JSON {root.ValueKind}, not an object.");
            var version = Int64Field(path, root, "format_version");
            if (version != FormatVersion)
                throw new InvalidDataException($"Trainer state '{path}' has format_version {version}; this build reads version {FormatVersion}.");

            var rngText = StringField(path, root, "rng_state");
            byte[] rng;
            try
            {
                rng = Convert.FromBase64String(rngText);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"Trainer state '{path}': field 'rng_state' is not base64.", e);
            }

            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in ObjectField(path, root, "extra").EnumerateObject())
                extra[item.Name] = item.Value.ValueKind == JsonValueKind.String
                    ? item.Value.GetString()!
                    : throw new InvalidDataException($"Trainer state '{path}': field 'extra.{item.Name}' must be a string.");

            var files = new List<FileDigest>();
            foreach (var item in ObjectField(path, root, "files").EnumerateObject())
            {
                if (item.Name != Path.GetFileName(item.Name) || item.Value.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"Trainer state '{path}': entry 'files.{item.Name}' is not a file of the checkpoint folder.");
                files.Add(new FileDigest(item.Name, Int64Field(path, item.Value, "bytes", $"files.{item.Name}."), StringField(path, item.Value, "sha256", $"files.{item.Name}.")));
            }

            var state = new TrainingState(Int64Field(path, root, "step"), Int64Field(path, root, "policy_version"), Int64Field(path, root, "data_cursor"), rng, extra);
            return new Contents(state, files);
        }
    }

    static long Int64Field(string path, JsonElement parent, string name, string prefix = "")
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            throw new InvalidDataException($"Trainer state '{path}': field '{prefix}{name}' is missing or not an integer.");
        return number;
    }

    static string StringField(string path, JsonElement parent, string name, string prefix = "")
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"Trainer state '{path}': field '{prefix}{name}' is missing or not a string.");
        return value.GetString()!;
    }

    static JsonElement ObjectField(string path, JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"Trainer state '{path}': field '{name}' is missing or not an object.");
        return value;
    }
}
