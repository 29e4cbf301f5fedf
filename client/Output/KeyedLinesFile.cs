using System.Text;
using System.Text.Json;

namespace Grpo.Client.Output;

/// <summary>
/// A JSON-lines file with at most one line per key (a step, or a step's prompt), kept in key order, so the client
/// may write the same steps again (a re-run of <c>grpo watch</c>, a reconnect) without repeating a line. What the
/// file already holds is read first and kept; a key that arrives again with the same line is skipped, one with a
/// different line (a step trained again after a resume) replaces it. New keys past the last one are appended and
/// flushed; anything else rewrites the file in one atomic rename.
/// </summary>
internal sealed class KeyedLinesFile<TKey> where TKey : IComparable<TKey>
{
    private readonly string path;
    private readonly SortedDictionary<TKey, string> lines = [];

    // The file on disk is not exactly the lines held here (a torn last line, a duplicate, keys out of order):
    // the next write rewrites it rather than appending to it.
    private bool rewriteNeeded;
    private TKey? lastKey;

    /// <param name="keyOf">Reads the key of one line; throws <see cref="LineKeyException"/> naming the field it lacks.</param>
    /// <exception cref="OutputFileException">A complete line of the file is not JSON or has no valid key.</exception>
    public KeyedLinesFile(string path, Func<JsonElement, TKey> keyOf)
    {
        this.path = path;
        if (File.Exists(path))
        {
            Load(keyOf);
        }
    }

    /// <summary>Adds the lines whose keys are new, replaces those whose text changed, and skips the rest.</summary>
    public void Write(IEnumerable<(TKey Key, string Line)> items)
    {
        var appended = new List<string>();
        var rewrite = rewriteNeeded;
        foreach (var (key, line) in items)
        {
            if (lines.TryGetValue(key, out var existing))
            {
                if (existing == line)
                {
                    continue;
                }

                rewrite = true;
            }
            else if (!Follows(key))
            {
                rewrite = true;
            }
            else
            {
                appended.Add(line);
            }

            Set(key, line);
        }

        if (rewrite)
        {
            Rewrite();
        }
        else if (appended.Count > 0)
        {
            Append(appended);
        }
    }

    private void Load(Func<JsonElement, TKey> keyOf)
    {
        var text = File.ReadAllText(path, Utf8);
        var rows = text.Split('\n');
        // The text after the last newline is a line only if the file does not end with a newline.
        var lastRow = rows.Length - 1;
        for (var index = 0; index < rows.Length; index++)
        {
            var row = rows[index].TrimEnd('\r');
            var lineNumber = index + 1;
            var unterminated = index == lastRow;
            if (row.Trim().Length == 0)
            {
                // Only the empty text after the final newline belongs there.
                rewriteNeeded |= !unterminated || row.Length > 0;
                continue;
            }

            TKey key;
            try
            {
                using var document = JsonDocument.Parse(row);
                key = keyOf(document.RootElement);
            }
            catch (Exception exception) when (exception is JsonException or LineKeyException or InvalidOperationException or FormatException)
            {
                if (unterminated)
                {
                    // A line cut short by a crash mid-write: the cluster still has that step and sends it again.
                    rewriteNeeded = true;
                    continue;
                }

                throw new OutputFileException(
                    $"{path} line {lineNumber}: {Reason(exception)}; the file is left as it is: repair it, move it aside or choose another --out folder.",
                    exception);
            }

            if (unterminated || !Follows(key))
            {
                rewriteNeeded = true;
            }

            // Of two lines with one key (a file written by an older client), the later one is kept.
            Set(key, row);
        }
    }

    /// <summary>Whether <paramref name="key"/> comes after every key held, so its line may be appended.</summary>
    private bool Follows(TKey key) => lines.Count == 0 || key.CompareTo(lastKey!) > 0;

    private void Set(TKey key, string line)
    {
        if (lines.Count == 0 || key.CompareTo(lastKey!) > 0)
        {
            lastKey = key;
        }

        lines[key] = line;
    }

    private static string Reason(Exception exception) => exception switch
    {
        LineKeyException key => key.Message,
        JsonException json => $"not a JSON object ({json.Message.Split(" Path:")[0].TrimEnd('.')})",
        _ => exception.Message,
    };

    private void Append(IEnumerable<string> newLines)
    {
        var text = new StringBuilder();
        foreach (var line in newLines)
        {
            text.Append(line).Append('\n');
        }

        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Utf8.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    private void Rewrite()
    {
        AtomicFile.Write(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(stream, Utf8) { NewLine = "\n" };
            foreach (var line in lines.Values)
            {
                writer.WriteLine(line);
            }

            writer.Flush();
            stream.Flush(flushToDisk: true);
        });
        rewriteNeeded = false;
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
