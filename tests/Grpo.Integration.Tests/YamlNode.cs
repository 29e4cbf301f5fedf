using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Grpo.Integration.Tests;

/// <summary>One node of a YAML document, with its path in the file, so a failed lookup says where it looked.</summary>
public sealed class YamlNode(object? value, string path)
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public string Path { get; } = path;

    /// <summary>Every document of a file (manifests hold several, separated by ---).</summary>
    public static IReadOnlyList<YamlNode> LoadAll(string file)
    {
        var parser = new Parser(new StringReader(File.ReadAllText(file)));
        parser.Consume<StreamStart>();
        var documents = new List<YamlNode>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(new YamlNode(Deserializer.Deserialize<object?>(parser), $"{file} (document {documents.Count + 1})"));
        }

        return documents;
    }

    public YamlNode this[string key] =>
        Optional(key) ?? throw new KeyNotFoundException($"{Path} has no '{key}'.");

    public YamlNode? Optional(string key) =>
        value is IDictionary<object, object> map && map.TryGetValue(key, out var child) ? new YamlNode(child, $"{Path}.{key}") : null;

    public IEnumerable<YamlNode> Items => value is IList<object> list
        ? list.Select((item, index) => new YamlNode(item, $"{Path}[{index}]"))
        : throw new InvalidOperationException($"{Path} is not a list.");

    public IEnumerable<(string Key, YamlNode Value)> Entries => value is IDictionary<object, object> map
        ? map.Select(entry => ((string)entry.Key, new YamlNode(entry.Value, $"{Path}.{entry.Key}")))
        : throw new InvalidOperationException($"{Path} is not a mapping.");

    public string Text => value as string ?? throw new InvalidOperationException($"{Path} is not a scalar.");

    public override string ToString() => Path;
}
