using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Configuration;

/// <summary>
/// Where a loaded configuration came from: the file (or other source) name and the 1-based line of every value in
/// it by configuration path (<c>steps</c>, <c>task.path</c>, <c>rewards[1].weight</c>). Kept beside the configuration
/// so that a problem found later, when a silo builds the run's components, still points at the file's line.
/// </summary>
public sealed class RunConfigSource
{
    private readonly IReadOnlyDictionary<string, int> lines;

    public RunConfigSource(string name, IReadOnlyDictionary<string, int>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        this.lines = lines ?? new Dictionary<string, int>();
    }

    /// <summary>The file's full path, or a name such as "--set overrides".</summary>
    public string Name { get; }

    /// <summary>Every path the source wrote, with its line.</summary>
    public IReadOnlyDictionary<string, int> Lines => lines;

    /// <summary>
    /// The line of <paramref name="path"/>, or of the nearest enclosing value the source wrote (a parameter left out
    /// of <c>rewards[1]</c> points at that entry), or null when the source did not write any of them.
    /// </summary>
    public int? LineOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var current = path; current.Length > 0; current = ConfigPath.Parent(current))
        {
            if (lines.TryGetValue(current, out var line))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>The problem with the line of its key added, when the source wrote the key.</summary>
    public RunConfigProblem Locate(RunConfigProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Key is { } key && problem.Line is null && LineOf(key) is { } line ? problem with { Line = line } : problem;
    }

    /// <summary>
    /// A component's refusal (an unknown name or parameter, a value it cannot use), found when a silo built the run's
    /// components, as a configuration error that names this source, the line and the key.
    /// </summary>
    public RunConfigException Explain(ComponentException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new RunConfigException(Name, [Locate(new RunConfigProblem(exception.Path, exception.Problem))], exception);
    }

    /// <summary>The same for a refusal that arrived as its path and problem (e.g. from another process).</summary>
    public RunConfigException Explain(string path, string problem) =>
        new(Name, [Locate(new RunConfigProblem(path, problem))]);
}
