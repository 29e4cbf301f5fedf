using System.Text;

namespace Grpo.Core.Tasks;

/// <summary>One record of a CSV file: its fields and the line it starts on (a quoted field may span lines).</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// Splits CSV text into records as RFC 4180 defines them: fields separated by commas, records by CRLF or LF, a
/// field in double quotes may hold commas, line breaks and quotes written twice (<c>""</c>). Anything else the
/// RFC forbids (a quote inside an unquoted field, text after a closing quote, a quote never closed) is an error
/// naming the file, the line and the field's position. Empty lines are skipped.
/// </summary>
public static class CsvRecords
{
    public static IReadOnlyList<CsvRecord> Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<CsvRecord>();
        var position = 0;
        var line = 1;
        while (position < text.Length)
        {
            if (text[position] is '\r' or '\n')
            {
                position = SkipLineBreak(text, position);
                line++;
                continue;
            }

            var start = line;
            var fields = new List<string>();
            while (true)
            {
                // A comma at the very end leaves an empty last field, which Unquoted reads as "".
                var field = position < text.Length && text[position] == '"'
                    ? Quoted(text, ref position, ref line, path, fields.Count + 1)
                    : Unquoted(text, ref position, path, line, fields.Count + 1);
                fields.Add(field);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }
                break;
            }

            records.Add(new CsvRecord(start, fields));
            if (position < text.Length)
            {
                position = SkipLineBreak(text, position);
                line++;
            }
        }
        return records;
    }

    static string Quoted(string text, ref int position, ref int line, string path, int fieldNumber)
    {
        var openedOn = line;
        var value = new StringBuilder();
        position++;
        while (true)
        {
            if (position >= text.Length)
                throw new InvalidDataException($"{path}: line {openedOn}: field {fieldNumber} opens a quote that is never closed.");
            var c = text[position];
            if (c == '"')
            {
                if (position + 1 < text.Length && text[position + 1] == '"')
                {
                    value.Append('"');
                    position += 2;
                    continue;
                }
                position++;
                break;
            }
            if (c == '\n' || (c == '\r' && (position + 1 >= text.Length || text[position + 1] != '\n'))) line++;
            value.Append(c);
            position++;
        }
        if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
            throw new InvalidDataException(
                $"{path}: line {line}: field {fieldNumber} has text after its closing quote; a quote inside a quoted field is written twice (\"\").");
        return value.ToString();
    }

    static string Unquoted(string text, ref int position, string path, int line, int fieldNumber)
    {
        var start = position;
        while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
        {
            if (text[position] == '"')
                throw new InvalidDataException(
                    $"{path}: line {line}: field {fieldNumber} has a quote but does not start with one; enclose the field in quotes and write the quote twice (\"\").");
            position++;
        }
        return text[start..position];
    }

    static int SkipLineBreak(string text, int position) =>
        text[position] == '\r' && position + 1 < text.Length && text[position + 1] == '\n' ? position + 2 : position + 1;
}
