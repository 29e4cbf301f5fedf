namespace Grpo.Abstractions.Configuration;

/// <summary>
/// A run configuration that cannot be used: a missing or malformed file, an unknown or renamed key, a value of the
/// wrong type or out of range, a component that is not registered. The message names the source (file or --set), the
/// line where there is one, and each key.
/// </summary>
[GenerateSerializer, Alias("grpo.RunConfigException")]
public sealed class RunConfigException : Exception
{
    /// <summary>Creates the exception for a single problem that is not tied to a key.</summary>
    public RunConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problems = [message];
        Details = [new RunConfigProblem(null, message)];
    }

    /// <param name="sourceName">The file or other source the problems were found in.</param>
    public RunConfigException(string sourceName, IReadOnlyList<RunConfigProblem> problems, Exception? innerException = null)
        : base(FormatMessage(sourceName, problems), innerException)
    {
        Problems = [.. problems.Select(problem => problem.ToString())];
        Details = problems;
    }

    /// <summary>Each problem on its own, as "line N: key: problem" or "key: problem".</summary>
    [Id(0)] public IReadOnlyList<string> Problems { get; }

    /// <summary>The problems with their key and line apart, for callers that point at them.</summary>
    [Id(1)] public IReadOnlyList<RunConfigProblem> Details { get; }

    private static string FormatMessage(string sourceName, IReadOnlyList<RunConfigProblem> problems)
    {
        var header = problems.Count == 1
            ? $"Invalid run configuration in {sourceName}:"
            : $"Invalid run configuration in {sourceName} ({problems.Count} problems):";
        return string.Join(Environment.NewLine + "  ", problems.Select(problem => problem.ToString()).Prepend(header));
    }
}
