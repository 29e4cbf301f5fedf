using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Reads a configuration file into its JSON value and the line of every value by configuration path, from the
/// reader's own token positions, and finds what JSON itself allows but a configuration must not have: duplicate keys
/// at any depth, a top level that is not an object, content after it. Comments and trailing commas are allowed
/// because people edit these files by hand. Malformed JSON is reported with its 1-based line.
/// </summary>
internal static class RunConfigJsonReader
{
    public sealed record Result(JsonElement Root, RunConfigSource Source, IReadOnlyList<RunConfigProblem> Duplicates);

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Result Read(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        var lineStarts = FindLineStarts(utf8);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new List<RunConfigProblem>();
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Single(sourceName, new RunConfigProblem(
                    null, "the configuration must be one JSON object ({ \"key\": value, ... })", LineOf(reader, lineStarts)));
            }

            var walker = new Walker(lineStarts, lines, duplicates);
            walker.Object(ref reader, "");

            // Anything after the closing brace (a second object, stray text) is a mistake, not something to ignore.
            if (reader.Read())
            {
                throw Single(sourceName, new RunConfigProblem(null, "unexpected content after the configuration object", LineOf(reader, lineStarts)));
            }
        }
        catch (JsonException exception)
        {
            var line = exception.LineNumber is { } zeroBased ? (int)zeroBased + 1 : (int?)null;
            throw Single(sourceName, new RunConfigProblem(null, "invalid JSON: " + JsonMessages.WithoutPosition(exception.Message), line));
        }

        using var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        return new Result(document.RootElement.Clone(), new RunConfigSource(sourceName, lines), duplicates);
    }

    private static RunConfigException Single(string sourceName, RunConfigProblem problem) => new(sourceName, [problem]);

    private static List<long> FindLineStarts(ReadOnlySpan<byte> utf8)
    {
        var starts = new List<long> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static int LineOf(in Utf8JsonReader reader, List<long> lineStarts)
    {
        var index = lineStarts.BinarySearch(reader.TokenStartIndex);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    // Records the line of every member and array element under its path; the reader stands on the container's start.
    private sealed class Walker(List<long> lineStarts, Dictionary<string, int> lines, List<RunConfigProblem> duplicates)
    {
        public void Object(ref Utf8JsonReader reader, string path)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                var line = LineOf(reader, lineStarts);
                var memberPath = path.Length == 0 ? name : ConfigPath.Member(path, name);
                if (!seen.TryAdd(name, line))
                {
                    duplicates.Add(new RunConfigProblem(memberPath, $"appears twice (first on line {seen[name]})", line));
                }
                else
                {
                    lines[memberPath] = line;
                }

                reader.Read();
                Value(ref reader, memberPath);
            }
        }

        private void Array(ref Utf8JsonReader reader, string path)
        {
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var elementPath = ConfigPath.Element(path, index++);
                lines.TryAdd(elementPath, LineOf(reader, lineStarts));
                Value(ref reader, elementPath);
            }
        }

        private void Value(ref Utf8JsonReader reader, string path)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                Object(ref reader, path);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                Array(ref reader, path);
            }
        }
    }
}
