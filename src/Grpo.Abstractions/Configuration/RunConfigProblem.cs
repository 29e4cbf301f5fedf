namespace Grpo.Abstractions.Configuration;

/// <summary>
/// One thing wrong with a run configuration. <paramref name="Key"/> is the configuration path of the offending value
/// (<c>steps</c>, <c>rewards[1].weight</c>) or null for problems of the file as a whole; <paramref name="Line"/> is the
/// 1-based line of the file where the value is written, when there is one.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.RunConfigProblem")]
public sealed record RunConfigProblem([property: Id(0)] string? Key, [property: Id(1)] string Message, [property: Id(2)] int? Line = null)
{
    public override string ToString()
    {
        var location = Line is { } line ? $"line {line}: " : "";
        return Key is null ? location + Message : $"{location}{Key}: {Message}";
    }
}
