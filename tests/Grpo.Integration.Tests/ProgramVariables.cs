using System.Reflection;
using System.Text.RegularExpressions;

namespace Grpo.Integration.Tests;

/// <summary>
/// The GRPO_ environment variables each program of the repository reads, taken from the programs themselves: the built
/// grpo-silo's option table, the built grpo client's cluster variable and the variables create-schema.sh expands.
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

    private static readonly Lazy<IReadOnlySet<string>> SiloVariables = new(() =>
    {
        var options = BuiltType("silo", "grpo-silo.dll", "Grpo.Silo.SiloOption")
            .GetProperty("All", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as System.Collections.IEnumerable
            ?? throw new InvalidOperationException("Grpo.Silo.SiloOption.All is missing.");
        return options.Cast<object>()
            .Select(option => (string)option.GetType().GetProperty("EnvironmentVariable")!.GetValue(option)!)
            .ToHashSet(StringComparer.Ordinal);
    });

    private static readonly Lazy<IReadOnlySet<string>> ClientVariables = new(() =>
    {
        var field = BuiltType("client", "grpo.dll", "Grpo.Client.Cluster.ClusterCommandLine").GetField("ClusterVariable")
            ?? throw new InvalidOperationException("Grpo.Client.Cluster.ClusterCommandLine.ClusterVariable is missing.");
        return new HashSet<string>(StringComparer.Ordinal) { (string)field.GetRawConstantValue()! };
    });

    private static readonly Lazy<IReadOnlySet<string>> ScriptVariables = new(() =>
        ExpandedVariable().Matches(File.ReadAllText(Path.Combine(RepositoryLayout.PostgresScripts, CreateSchema)))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal));

    private static Type BuiltType(string projectFolder, string assemblyFile, string typeName)
    {
        var path = Path.Combine(RepositoryLayout.Root, projectFolder, "bin", RepositoryLayout.Configuration, "net10.0", assemblyFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{assemblyFile} is not built at {path}; build the {projectFolder} project ({RepositoryLayout.Configuration}) first.", path);
        }

        return Assembly.LoadFrom(path).GetType(typeName, throwOnError: true)!;
    }

    [GeneratedRegex(@"\$\{?(?<name>GRPO_[A-Z0-9_]+)")]
    private static partial Regex ExpandedVariable();
}
