using Grpo.Grains.Runs.Components;

namespace Grpo.Configuration.Tests;

/// <summary>docs/configuration.md is generated from the code; this test fails when the checked-in file differs.</summary>
public sealed class ConfigurationReferenceTests
{
    private const string WriteVariable = "GRPO_WRITE_DOCS";

    [Fact]
    public void The_checked_in_reference_is_the_generated_one()
    {
        var file = Path.Combine(RepositoryRoot(), "docs", "configuration.md");
        var generated = ConfigurationReference.Markdown(RunComponentCatalog.Default);
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(file, generated);
        }

        var checkedIn = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        Assert.True(checkedIn == generated,
            $"{file} is not the reference the code generates. Regenerate it with: " +
            $"{WriteVariable}=1 dotnet test tests/Grpo.Configuration.Tests --filter {nameof(ConfigurationReferenceTests)}");
    }

    [Fact]
    public void The_reference_documents_every_key_its_component_names_and_every_renamed_key()
    {
        var generated = ConfigurationReference.Markdown(RunComponentCatalog.Default);

        foreach (var key in RunConfigKeys.All)
        {
            Assert.Contains($"| `{key.Name}` |", generated);
        }

        foreach (var old in RenamedKeys.All.Keys)
        {
            Assert.Contains($"| `{old}` |", generated);
        }

        Assert.Contains("Registered: `k1`, `k2`, `k3`, `low_var_kl`.", generated);
        Assert.Contains("Registered: `answer`, `exact_match`, `format`, `http`, `length`, `math_answer`, `numeric_answer`.", generated);
        Assert.DoesNotContain("Registered:", ConfigurationReference.Markdown());
    }

    // The folder holding the solution file, found upwards from the test's output folder.
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Grpo.Orleans.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Grpo.Orleans.sln above {AppContext.BaseDirectory}");
    }
}
