using System.Text.Json;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Splits a configuration file into its top-level keys, each with the 1-based line it is on, so every later
/// problem (unknown key, wrong type, out of range) can point at the line. Comments and trailing commas are allowed
/// because people edit these files by hand.
/// </summary>
internal static class RunConfigJsonReader
{
    public sealed record Entry(string Key, int Line, JsonElement Value);

    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<Entry> Read(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        var lineStarts = FindLineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, Options);
        var entries = new List<Entry>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Problem(sourceName, new RunConfigProblem(
                    null, "the configuration must be one JSON object ({ \"key\": value, ... })", LineOf(reader, lineStarts)));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var line = LineOf(reader, lineStarts);
                reader.Read();
                entries.Add(new Entry(key, line, JsonElement.ParseValue(ref reader)));
            }

            // Anything after the closing brace (a second object, stray text) is a mistake, not something to ignore.
            if (reader.Read())
            {
                throw Problem(sourceName, new RunConfigProblem(
                    null, "unexpected content after the configuration object", LineOf(reader, lineStarts)));
            }
        }
        catch (JsonException exception)
        {
            var line = exception.LineNumber is { } zeroBased ? (int)zeroBased + 1 : (int?)null;
            throw new RunConfigException(sourceName, [new RunConfigProblem(null, "invalid JSON: " + WithoutPosition(exception.Message), line)]);
        }

        return entries;
    }

    private static RunConfigException Problem(string sourceName, RunConfigProblem problem) => new(sourceName, [problem]);

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

    // System.Text.Json appends a 0-based "LineNumber: n | BytePositionInLine: m." that would contradict our 1-based line.
    private static string WithoutPosition(string message)
    {
        var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return position >= 0 ? message[..position] : message;
    }
}
