namespace Grpo.Abstractions.Configuration;

/// <summary>One thing wrong with a run configuration; <paramref name="Key"/> is null for problems of the file as a whole.</summary>
internal sealed record RunConfigProblem(string? Key, string Message, int? Line = null)
{
    public override string ToString()
    {
        var location = Line is { } line ? $"line {line}: " : "";
        return Key is null ? location + Message : $"{location}{Key}: {Message}";
    }
}
