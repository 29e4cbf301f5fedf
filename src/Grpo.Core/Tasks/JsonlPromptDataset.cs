using System.Globalization;
using System.Text.Json;

namespace Grpo.Core.Tasks;

/// <summary>
/// Reads prompts from JSON Lines: one object per line with a prompt field and an answer field. Blank lines are
/// skipped; answers that are JSON numbers are converted to text; GSM8K answers are kept whole (rewards find "####").
/// Every other field of a line becomes the example's <see cref="TaskExample.Metadata"/>: a string as its text, any
/// other value as its JSON.
/// </summary>
public static class JsonlPromptDataset
{
    /// <param name="answerProblem">Checks each answer; a non-null result is what is wrong with it, reported with file, line and field.</param>
    public static IReadOnlyList<TaskExample> Load(string path, string promptField = "question", string answerField = "answer",
        Func<string, string?>? answerProblem = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptField);
        ArgumentException.ThrowIfNullOrWhiteSpace(answerField);

        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidDataException($"Dataset file '{path}' cannot be read: {e.Message}", e);
        }

        var examples = new List<TaskExample>();
        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = index + 1;
            if (string.IsNullOrWhiteSpace(lines[index]))
            {
                continue;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(lines[index]);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: invalid JSON: {e.Message}", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{path}: line {lineNumber}: expected a JSON object with fields '{promptField}' and '{answerField}', found {document.RootElement.ValueKind}.");
                }
                var prompt = ReadField(document.RootElement, promptField, path, lineNumber, allowNumber: false);
                var answer = ReadField(document.RootElement, answerField, path, lineNumber, allowNumber: true);
                if (prompt.Trim().Length == 0)
                {
                    throw new InvalidDataException($"{path}: line {lineNumber}: field '{promptField}' is empty.");
                }
                if (answerProblem?.Invoke(answer) is { } problem)
                {
                    throw new InvalidDataException($"{path}: line {lineNumber}: field '{answerField}' {problem}.");
                }
                examples.Add(new TaskExample(prompt, answer) { Metadata = Metadata(document.RootElement, promptField, answerField, path, lineNumber) });
            }
        }

        if (examples.Count == 0)
        {
            throw new InvalidDataException($"{path}: the dataset is empty (no non-blank lines).");
        }
        return examples;
    }

    private static Dictionary<string, string> Metadata(JsonElement line, string promptField, string answerField, string path, int lineNumber)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in line.EnumerateObject())
        {
            if (property.Name == promptField || property.Name == answerField) continue;
            // The raw JSON keeps numbers, lists and objects exactly as written.
            var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            if (!metadata.TryAdd(property.Name, text))
                throw new InvalidDataException($"{path}: line {lineNumber}: field '{property.Name}' appears twice.");
        }
        return metadata;
    }

    private static string ReadField(JsonElement line, string field, string path, int lineNumber, bool allowNumber)
    {
        if (!line.TryGetProperty(field, out var value))
        {
            throw new InvalidDataException($"{path}: line {lineNumber}: field '{field}' is missing.");
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            // The raw JSON text keeps the number exactly as written ("72", "0.5", "1e3").
            JsonValueKind.Number when allowNumber => value.GetRawText(),
            _ => throw new InvalidDataException(
                $"{path}: line {lineNumber}: field '{field}' must be a string{(allowNumber ? " or a number" : "")}, found {value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}."),
        };
    }
}
