using System.Text;
using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// Reads a <see cref="RunConfig"/> from a JSON file and command-line <c>--set</c> overrides and refuses unknown or
/// renamed keys and invalid values before anything starts, reporting every problem at once with its file, line and
/// key. Every entry point validates its result; given a <see cref="ComponentCatalog"/>, component names and
/// parameters are checked too.
/// </summary>
public static class RunConfigLoader
{
    /// <summary>The source name used in errors raised by <see cref="ApplyOverrides"/>.</summary>
    public const string OverridesSourceName = "--set overrides";

    /// <summary>Every valid key, in the order of the record (run, sampling, objective, ...), for help text.</summary>
    public static IReadOnlyList<string> Keys => RunConfigKeys.Names;

    /// <summary>Reads and validates the JSON file at <paramref name="path"/>; keys left out keep their defaults.</summary>
    /// <exception cref="RunConfigException">The file is missing, unreadable, malformed or invalid.</exception>
    public static RunConfig Load(string path, ComponentCatalog? catalog = null) => LoadWithSource(path, catalog).Config;

    /// <summary>As <see cref="Load"/>, with the line of every value, to point at it when a component refuses it later.</summary>
    /// <exception cref="RunConfigException">The file is missing, unreadable, malformed or invalid.</exception>
    public static LoadedRunConfig LoadWithSource(string path, ComponentCatalog? catalog = null)
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

        return ParseUtf8(utf8, fullPath, catalog);
    }

    /// <summary>Parses and validates a JSON object; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="RunConfigException">The text is malformed or the configuration is invalid.</exception>
    public static RunConfig Parse(string json, string sourceName, ComponentCatalog? catalog = null) =>
        ParseWithSource(json, sourceName, catalog).Config;

    /// <inheritdoc cref="Parse"/>
    public static LoadedRunConfig ParseWithSource(string json, string sourceName, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ParseUtf8(Encoding.UTF8.GetBytes(json), sourceName, catalog);
    }

    /// <summary>
    /// Applies <c>--set</c> assignments in order (a later one wins) and validates the result. Values are read by the
    /// key's type: numbers in invariant culture, true/false, <c>null</c> or nothing to clear a nullable key,
    /// comma-separated lists (with \, \n \t \\ escapes) for string arrays, a name or a JSON object for a component, names
    /// or a JSON array for a list of components; <c>key.parameter</c> and <c>key[i].parameter</c> set one parameter.
    /// </summary>
    /// <exception cref="RunConfigException">An assignment is malformed, names an unknown key or has a bad value, or the result is invalid.</exception>
    public static RunConfig ApplyOverrides(RunConfig config, IEnumerable<string> assignments, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(assignments);
        var (result, problems) = RunConfigOverrides.Apply(config, assignments);
        if (problems.Count > 0)
        {
            throw new RunConfigException(OverridesSourceName, problems);
        }

        Validate(result, OverridesSourceName, catalog);
        return result;
    }

    /// <summary>Checks every rule and reports all violations in one exception.</summary>
    /// <exception cref="RunConfigException">At least one rule is violated; its message lists each "key: problem".</exception>
    public static void Validate(RunConfig config, string sourceName, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        Validate(config, new RunConfigSource(sourceName), catalog);
    }

    /// <summary>
    /// As <see cref="Validate(RunConfig, string, ComponentCatalog?)"/>, and every path-like value must lie under
    /// <paramref name="dataRoots"/>: what a silo checks of a configuration it is sent, all problems in one exception.
    /// </summary>
    /// <exception cref="RunConfigException">At least one rule is violated or a path lies outside the allowed folders.</exception>
    public static void Validate(RunConfig config, string sourceName, ComponentCatalog? catalog, RunDataRoots dataRoots)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(dataRoots);
        // Checking a component builds it, and building a task reads its data file: a path outside the roots must be
        // refused before anything opens it, so the components are then checked by name and rules only.
        var outside = dataRoots.FindProblems(config);
        var problems = RunConfigValidator.FindProblems(config, outside.Count > 0 ? null : catalog).Concat(outside).ToArray();
        if (problems.Length > 0)
        {
            throw new RunConfigException(sourceName, problems);
        }
    }

    /// <summary>As <see cref="Validate(RunConfig, string, ComponentCatalog?)"/>, each problem at the line <paramref name="source"/> wrote its key on.</summary>
    /// <exception cref="RunConfigException">At least one rule is violated.</exception>
    public static void Validate(RunConfig config, RunConfigSource source, ComponentCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        var problems = RunConfigValidator.FindProblems(config, catalog);
        if (problems.Count > 0)
        {
            throw new RunConfigException(source.Name, [.. problems.Select(source.Locate)]);
        }
    }

    /// <summary>The configuration as an indented JSON object with every key, which <see cref="Parse"/> reads back equal.</summary>
    public static string ToJson(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonSerializer.Serialize(config, RunConfigJson.TypeInfo);
    }

    private static LoadedRunConfig ParseUtf8(byte[] utf8, string sourceName, ComponentCatalog? catalog)
    {
        var read = RunConfigJsonReader.Read(utf8, sourceName);
        var source = read.Source;

        // Filled through the init accessors before anyone else can see it; keys left out keep their defaults.
        var config = new RunConfig();
        var problems = new List<RunConfigProblem>(read.Duplicates);
        var keysWithDuplicates = read.Duplicates.Select(problem => TopKey(problem.Key!)).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in read.Root.EnumerateObject())
        {
            // A key written twice is reported once, by the reader, and read from neither place.
            if (!seen.Add(member.Name) || keysWithDuplicates.Contains(member.Name))
            {
                continue;
            }

            if (!RunConfigKeys.TryGet(member.Name, out var key))
            {
                problems.Add(source.Locate(new RunConfigProblem(member.Name, RunConfigKeys.Unknown(member.Name))));
                continue;
            }

            var found = RunConfigJsonValues.Read(key, member.Value, out var value);
            if (found.Count > 0)
            {
                problems.AddRange(found.Select(source.Locate));
                continue;
            }

            key.SetOn(config, value);
        }

        if (problems.Count == 0)
        {
            problems.AddRange(RunConfigValidator.FindProblems(config, catalog).Select(source.Locate));
        }

        if (problems.Count > 0)
        {
            throw new RunConfigException(sourceName, [.. problems.OrderBy(problem => problem.Line ?? int.MaxValue)]);
        }

        return new LoadedRunConfig(config, source);
    }

    private static string TopKey(string path)
    {
        var end = path.IndexOfAny(['.', '[']);
        return end < 0 ? path : path[..end];
    }
}
