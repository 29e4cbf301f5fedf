using System.Text;
using System.Text.Json;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// Reads a <see cref="RunConfig"/> from a JSON file and command-line <c>--set key=value</c> overrides and refuses
/// unknown keys and invalid values before anything starts. Every entry point validates its result.
/// </summary>
public static class RunConfigLoader
{
    /// <summary>The source name used in errors raised by <see cref="ApplyOverrides"/>.</summary>
    public const string OverridesSourceName = "--set overrides";

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// <summary>Every valid key, in the order of the record (run, sampling, objective, ...), for help text.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. RunConfigKeyTable.All.Select(key => key.Name)];

    /// <summary>Reads and validates the JSON file at <paramref name="path"/>; keys left out keep their defaults.</summary>
    /// <exception cref="RunConfigException">The file is missing, unreadable, malformed or invalid.</exception>
    public static RunConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new RunConfigException(Directory.Exists(fullPath)
                ? $"Run configuration path is a directory, not a file: {fullPath}"
                : $"Run configuration file not found: {fullPath}");
        }

        byte[] utf8;
        try
        {
            utf8 = File.ReadAllBytes(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new RunConfigException($"Cannot read run configuration file {fullPath}: {exception.Message}", exception);
        }

        return ParseUtf8(utf8, fullPath);
    }

    /// <summary>Parses and validates a JSON object; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="RunConfigException">The text is malformed or the configuration is invalid.</exception>
    public static RunConfig Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ParseUtf8(Encoding.UTF8.GetBytes(json), sourceName);
    }

    /// <summary>
    /// Applies <c>key=value</c> assignments in order (a later one wins) and validates the result. Values are read
    /// by the key's type: numbers in invariant culture, true/false, enum names, <c>null</c> or nothing to clear a
    /// nullable key, comma-separated lists (with \, \n \t \\ escapes) for string arrays.
    /// </summary>
    /// <exception cref="RunConfigException">An assignment is malformed, names an unknown key or has a bad value, or the result is invalid.</exception>
    public static RunConfig ApplyOverrides(RunConfig config, IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(assignments);

        // A copy that nobody else has seen yet, so filling it through the init accessors cannot surprise anyone.
        var result = config with { };
        var problems = new List<RunConfigProblem>();
        foreach (var assignment in assignments)
        {
            ArgumentNullException.ThrowIfNull(assignment, nameof(assignments));
            var separator = assignment.IndexOf('=');
            if (separator < 0)
            {
                problems.Add(new RunConfigProblem(null, $"'--set {assignment}' is not of the form --set key=value"));
                continue;
            }

            var name = assignment[..separator].Trim();
            var text = assignment[(separator + 1)..];
            if (!RunConfigKeyTable.TryGet(name, out var key))
            {
                problems.Add(new RunConfigProblem(
                    name.Length == 0 ? null : name,
                    $"unknown key in '--set {assignment}'; {RunConfigKeyTable.SuggestFor(name)}"));
                continue;
            }

            if (!key.TryParseText(text, out var value, out var problem))
            {
                problems.Add(new RunConfigProblem(key.Name, $"{problem} (in '--set {assignment}')"));
                continue;
            }

            key.Property.SetValue(result, value);
        }

        if (problems.Count > 0)
        {
            throw new RunConfigException(OverridesSourceName, problems);
        }

        Validate(result, OverridesSourceName);
        return result;
    }

    /// <summary>Checks every range and cross-field rule and reports all violations in one exception.</summary>
    /// <exception cref="RunConfigException">At least one rule is violated; its message lists each "key: problem".</exception>
    public static void Validate(RunConfig config, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sourceName);
        var problems = RunConfigValidator.FindProblems(config);
        if (problems.Count > 0)
        {
            throw new RunConfigException(sourceName, problems);
        }
    }

    /// <summary>The configuration as an indented JSON object with every key, readable again by <see cref="Parse"/>.</summary>
    public static string ToJson(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonSerializer.Serialize(config, WriteOptions);
    }

    private static RunConfig ParseUtf8(byte[] utf8, string sourceName)
    {
        var entries = RunConfigJsonReader.Read(utf8, sourceName);

        // Filled through the init accessors before anyone else can see it; keys left out keep their defaults.
        var config = new RunConfig();
        var lineOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<RunConfigProblem>();
        foreach (var entry in entries)
        {
            if (!RunConfigKeyTable.TryGet(entry.Key, out var key))
            {
                problems.Add(new RunConfigProblem(entry.Key, "unknown key; " + RunConfigKeyTable.SuggestFor(entry.Key), entry.Line));
                continue;
            }

            if (!lineOfKey.TryAdd(key.Name, entry.Line))
            {
                problems.Add(new RunConfigProblem(key.Name, $"appears twice (first on line {lineOfKey[key.Name]})", entry.Line));
                continue;
            }

            if (!key.TryReadJson(entry.Value, out var value, out var problem))
            {
                problems.Add(new RunConfigProblem(key.Name, problem, entry.Line));
                continue;
            }

            key.Property.SetValue(config, value);
        }

        if (problems.Count == 0)
        {
            // Range problems point at the line of the offending key when the file sets it.
            problems.AddRange(RunConfigValidator.FindProblems(config).Select(problem =>
                problem.Key is { } name && lineOfKey.TryGetValue(name, out var line) ? problem with { Line = line } : problem));
        }

        if (problems.Count > 0)
        {
            throw new RunConfigException(sourceName, problems);
        }

        return config;
    }
}
