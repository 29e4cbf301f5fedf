namespace Grpo.Benchmarks;

/// <summary>One row of the memory benchmark: a name and the run settings (<c>key=value</c>, as <c>grpo train --set</c> takes them).</summary>
internal sealed record MemoryCase(string Name, IReadOnlyList<string> Settings)
{
    public const string FileName = "memory-cases.txt";

    /// <summary>The value of setting <paramref name="key"/>, or null when the case leaves it at the shared default.</summary>
    public string? Setting(string key) =>
        Settings.Select(s => s.Split('=', 2)).Where(p => p.Length == 2 && p[0] == key).Select(p => p[1]).LastOrDefault();

    /// <summary>The cases of <paramref name="path"/>: one per line that is neither blank nor a # comment.</summary>
    /// <exception cref="InvalidDataException">A line has a setting without '=' (the line is named).</exception>
    public static IReadOnlyList<MemoryCase> Read(string path)
    {
        var cases = new List<MemoryCase>();
        var lines = File.ReadAllLines(path);
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Skip(1).FirstOrDefault(w => !w.Contains('=')) is { } bad)
                throw new InvalidDataException($"{path} line {index + 1}: setting '{bad}' of case '{words[0]}' is not key=value.");
            cases.Add(new MemoryCase(words[0], words[1..]));
        }
        return cases;
    }
}
