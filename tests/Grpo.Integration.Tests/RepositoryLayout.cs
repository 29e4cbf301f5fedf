namespace Grpo.Integration.Tests;

/// <summary>Where the repository's scripts and the built grpo-silo and grpo client are, found from this test assembly's output folder.</summary>
public static class RepositoryLayout
{
    private static readonly DirectoryInfo OutputFolder = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>tests/Grpo.Integration.Tests/bin/&lt;Configuration&gt;/net10.0 → the repository root five levels up.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as, so the silo of the same build is used.</summary>
    public static string Configuration { get; } = OutputFolder.Parent?.Name
        ?? throw new InvalidOperationException($"{OutputFolder.FullName} has no parent folder naming the build configuration.");

    public static string PostgresScripts => Path.Combine(Root, "deploy", "postgres");

    public static string SiloExecutable
    {
        get
        {
            var path = Path.Combine(Root, "silo", "bin", Configuration, OutputFolder.Name, "grpo-silo");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"grpo-silo is not built at {path}; build the silo project ({Configuration}) first.", path);
        }
    }

    /// <summary>The grpo client: the solution build puts it beside the silo; this project cannot reference it without a csproj change.</summary>
    public static string ClientExecutable
    {
        get
        {
            var path = Path.Combine(Root, "client", "bin", Configuration, OutputFolder.Name, "grpo");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"grpo is not built at {path}; build the client project ({Configuration}) first.", path);
        }
    }

    /// <summary>The build folder of the test plugin, as a user would hand it to grpo-silo --plugins.</summary>
    public static string TestPluginFolder
    {
        get
        {
            var path = Path.Combine(Root, "tests", "Grpo.TestPlugin", "bin", Configuration, OutputFolder.Name);
            return File.Exists(Path.Combine(path, "Grpo.TestPlugin.dll"))
                ? path
                : throw new FileNotFoundException($"the test plugin is not built in {path}; build tests/Grpo.TestPlugin ({Configuration}) first.", path);
        }
    }

    /// <summary>The built assembly of a sample under samples/, to run with dotnet.</summary>
    public static string Sample(string name)
    {
        var path = Path.Combine(Root, "samples", name, "bin", Configuration, OutputFolder.Name, name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"sample {name} is not built at {path}; build the solution ({Configuration}) first.", path);
    }

    private static string FindRoot()
    {
        var root = Path.GetFullPath(Path.Combine(OutputFolder.FullName, "..", "..", "..", "..", ".."));
        return File.Exists(Path.Combine(root, "Grpo.Orleans.sln"))
            ? root
            : throw new DirectoryNotFoundException($"{root} (five levels above {OutputFolder.FullName}) holds no Grpo.Orleans.sln.");
    }
}
