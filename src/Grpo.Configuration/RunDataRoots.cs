using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// The folders a silo lets a submitted configuration read files from. A configuration arrives from whoever reaches a
/// gateway, so its path-like values (<c>model_path</c>, and every component parameter named <c>path</c> or ending in
/// <c>_path</c>, <c>_file</c>, <c>_dir</c> or <c>_directory</c>, such as <c>task.path</c>) must resolve, after <c>..</c>
/// and relative paths are worked out against the silo's working folder, under one of the roots; a value that is itself
/// a symbolic link must point under one too. Links further inside an allowed folder are the operator's own business.
/// <see cref="Unrestricted"/> allows any path: for the embedded single-process mode, where the operator is the user.
/// </summary>
public sealed class RunDataRoots
{
    static readonly string[] PathParameterSuffixes = ["_path", "_file", "_dir", "_directory"];

    static readonly StringComparison PathComparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    readonly string[]? roots;

    RunDataRoots(string[]? roots) => this.roots = roots;

    /// <summary>Any path is allowed.</summary>
    public static RunDataRoots Unrestricted { get; } = new(null);

    /// <summary>Paths under <paramref name="folders"/> (made absolute against the working folder) are allowed; none when it is empty.</summary>
    public static RunDataRoots Under(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        return new RunDataRoots([.. folders.Select(Normalise).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>The allowed folders as absolute paths; null when any path is allowed.</summary>
    public IReadOnlyList<string>? Roots => roots;

    /// <summary>True when <paramref name="path"/>, made absolute, lies in an allowed folder (or anything is allowed).</summary>
    public bool Allows(string path) => roots is null || IsUnderARoot(Path.GetFullPath(path));

    /// <summary>Each path-like value of <paramref name="config"/> that lies outside the allowed folders, by its key.</summary>
    public IReadOnlyList<RunConfigProblem> FindProblems(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (roots is null) return [];
        var problems = new List<RunConfigProblem>();
        foreach (var (key, value) in PathValues(config))
        {
            if (Problem(value) is { } problem) problems.Add(new RunConfigProblem(key, problem));
        }
        return problems;
    }

    /// <summary>
    /// <c>model_path</c> and each string-valued component parameter whose name marks a path, with its configuration key
    /// (<c>task.path</c>, <c>rewards[2].vocab_file</c>).
    /// </summary>
    public static IEnumerable<(string Key, string Value)> PathValues(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ModelPath is { } modelPath) yield return (RunConfigKeys.ForProperty(nameof(RunConfig.ModelPath)).Name, modelPath);
        foreach (var (key, _, spec) in RunConfigValidator.Components(config))
        {
            foreach (var (name, json) in spec.Parameters)
            {
                if (!IsPathParameter(name)) continue;
                using var value = JsonDocument.Parse(json);
                if (value.RootElement.ValueKind == JsonValueKind.String) yield return (ConfigPath.Member(key, name), value.RootElement.GetString()!);
            }
        }
    }

    static bool IsPathParameter(string name) =>
        name == "path" || PathParameterSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));

    string? Problem(string value)
    {
        string full;
        try
        {
            full = Path.GetFullPath(value);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{value}' is not a usable path: {e.Message}";
        }
        if (!IsUnderARoot(full))
            return $"'{value}' ({full}) is outside the folders this silo reads run data from ({AllowedText}); the silo's operator can allow more with --data-root";
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target && !IsUnderARoot(target.FullName))
            return $"'{value}' is a link to '{target.FullName}', outside the folders this silo reads run data from ({AllowedText})";
        return null;
    }

    string AllowedText => roots!.Length == 0 ? "none" : string.Join(", ", roots);

    bool IsUnderARoot(string fullPath) => roots is null || roots.Any(root =>
        string.Equals(fullPath.TrimEnd(Path.DirectorySeparatorChar), root, PathComparison)
        || fullPath.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, PathComparison));

    /// <summary>Absolute, without a trailing separator unless it is a file-system root ("/" stays "/").</summary>
    static string Normalise(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        var trimmed = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return trimmed.Length == 0 || Path.GetPathRoot(full) == full ? full : trimmed;
    }
}
