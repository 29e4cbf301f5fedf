using Grpo.Core.Registries;

namespace Grpo.Core.Tasks;

/// <summary>
/// Reads prompts from a CSV file (RFC 4180, see <see cref="CsvRecords"/>) whose first row names the columns: one
/// column holds the prompt, one the reference answer, and every other column becomes the example's
/// <see cref="TaskExample.Metadata"/>. Errors name the file, the line and the column.
/// </summary>
public static class CsvPromptDataset
{
    /// <param name="answerProblem">Checks each answer; a non-null result is what is wrong with it, reported with file, line and column.</param>
    public static IReadOnlyList<TaskExample> Load(string path, string promptColumn = "question", string answerColumn = "answer",
        Func<string, string?>? answerProblem = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptColumn);
        ArgumentException.ThrowIfNullOrWhiteSpace(answerColumn);

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidDataException($"Dataset file '{path}' cannot be read: {e.Message}", e);
        }

        var records = CsvRecords.Parse(text, path);
        if (records.Count == 0) throw new InvalidDataException($"{path}: the file is empty; its first line must name the columns.");
        var header = Header(records[0], path);
        var prompt = ColumnIndex(header, promptColumn, path, records[0].Line);
        var answer = ColumnIndex(header, answerColumn, path, records[0].Line);

        var examples = new List<TaskExample>();
        foreach (var record in records.Skip(1))
        {
            // A line of spaces alone (often the end of a hand-edited file) is no record.
            if (record.Fields.Count == 1 && record.Fields[0].Trim().Length == 0 && header.Count > 1) continue;
            if (record.Fields.Count != header.Count)
                throw new InvalidDataException(
                    $"{path}: line {record.Line}: {record.Fields.Count} field{(record.Fields.Count == 1 ? "" : "s")}, but the header (line {records[0].Line}) names {header.Count} columns.");
            if (record.Fields[prompt].Trim().Length == 0)
                throw new InvalidDataException($"{path}: line {record.Line}: column '{promptColumn}' is empty.");
            if (answerProblem?.Invoke(record.Fields[answer]) is { } problem)
                throw new InvalidDataException($"{path}: line {record.Line}: column '{answerColumn}' {problem}.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                if (i != prompt && i != answer) metadata[header[i]] = record.Fields[i];
            }
            examples.Add(new TaskExample(record.Fields[prompt], record.Fields[answer]) { Metadata = metadata });
        }

        if (examples.Count == 0) throw new InvalidDataException($"{path}: the file has a header but no rows.");
        return examples;
    }

    static IReadOnlyList<string> Header(CsvRecord record, string path)
    {
        // Names are trimmed: "question, answer" is meant as two columns named question and answer.
        var names = record.Fields.Select(name => name.Trim()).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0)
                throw new InvalidDataException($"{path}: line {record.Line}: column {i + 1} of the header has no name.");
            var first = Array.IndexOf(names, names[i]);
            if (first < i)
                throw new InvalidDataException($"{path}: line {record.Line}: column '{names[i]}' is named twice (columns {first + 1} and {i + 1}).");
        }
        return names;
    }

    static int ColumnIndex(IReadOnlyList<string> header, string column, string path, int line)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == column) return i;
        }
        var suggestion = NameSuggestions.Closest(column, header) is { } closest ? $"did you mean '{closest}'? " : "";
        throw new InvalidDataException(
            $"{path}: line {line}: the header has no column '{column}'; {suggestion}(columns: {string.Join(", ", header)})");
    }
}
