using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The GRPO_ environment variables each program of the repository reads, taken from the programs themselves: the built
/// grpo-silo's options as its help lists them, the variable the built grpo client's help names and the variables
/// create-schema.sh expands.
/// </summary>
public static partial class ProgramVariables
{
    public const string Silo = "grpo-silo";
    public const string Client = "grpo";
    public const string CreateSchema = "create-schema.sh";

    public static IReadOnlySet<string> Of(string program) => program switch
    {
        Silo => SiloVariables.Value,
        Client => ClientVariables.Value,
        CreateSchema => ScriptVariables.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(program), program, "not a program of this repository"),
    };

    // Asked of the built programs through their help, not by loading their assemblies: a program loaded into the tests'
    // process makes every later in-process silo fail, because Orleans scans the references of each loaded assembly and
    // the program's own dependencies (the dashboard, say) are not in the tests' folder.
    private static readonly Lazy<IReadOnlySet<string>> SiloVariables = new(() =>
        // grpo-silo's help names every --option and the rule that maps each to its variable (--silo-port: GRPO_SILO_PORT).
        SiloSwitch().Matches(Help("silo", "grpo-silo", "--help"))
            .Select(match => "GRPO_" + match.Groups["name"].Value.Replace('-', '_').ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlySet<string>> ClientVariables = new(() =>
        // The client's cluster commands name the variable their --cluster option defaults to.
        ExpandedVariable().Matches(Help("client", "grpo", "submit", "--help"))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlySet<string>> ScriptVariables = new(() =>
        ExpandedVariable().Matches(File.ReadAllText(Path.Combine(RepositoryLayout.PostgresScripts, CreateSchema)))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal));

    private static string Help(string projectFolder, string executable, params string[] arguments)
    {
        var path = Path.Combine(RepositoryLayout.Root, projectFolder, "bin", RepositoryLayout.Configuration, "net10.0", executable);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{executable} is not built at {path}; build the {projectFolder} project ({RepositoryLayout.Configuration}) first.", path);
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{executable} {string.Join(' ', arguments)} did not finish within 60 s.");
        }

        return output + error.Result;
    }

    [GeneratedRegex(@"^\s+--(?<name>[a-z][a-z-]*)\s", RegexOptions.Multiline)]
    private static partial Regex SiloSwitch();

    [GeneratedRegex(@"\$\{?(?<name>GRPO_[A-Z0-9_]+)")]
    private static partial Regex ExpandedVariable();
}
