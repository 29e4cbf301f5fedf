namespace Grpo.Abstractions.Configuration;

/// <summary>
/// A run configuration that cannot be used: a missing or malformed file, an unknown key, a value of the wrong
/// type or out of range. The message names the source (file or --set), the line where there is one, and each key.
/// </summary>
public sealed class RunConfigException : Exception
{
    /// <summary>Creates the exception for a single problem that is not tied to a key.</summary>
    public RunConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Problems = [message];
    }

    internal RunConfigException(string sourceName, IReadOnlyList<RunConfigProblem> problems)
        : base(FormatMessage(sourceName, problems))
    {
        Problems = [.. problems.Select(problem => problem.ToString())];
    }

    /// <summary>Each problem on its own, as "line N: key: problem" or "key: problem".</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string FormatMessage(string sourceName, IReadOnlyList<RunConfigProblem> problems)
    {
        var header = problems.Count == 1
            ? $"Invalid run configuration in {sourceName}:"
            : $"Invalid run configuration in {sourceName} ({problems.Count} problems):";
        return string.Join(Environment.NewLine + "  ", problems.Select(problem => problem.ToString()).Prepend(header));
    }
}
