using System.Diagnostics;
using Grpo.Hosting;

namespace Grpo.Integration.Tests;

/// <summary>The built <c>grpo</c> client against a real PostgreSQL server: a database without the schema stops it before Orleans starts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClientSubmitTests(PostgresServer server)
{
    [Fact]
    public async Task Submit_to_a_database_without_the_schema_exits_with_4_and_says_to_run_create_schema()
    {
        var connectionString = await server.CreateEmptyDatabaseAsync();
        var database = ClusterConnection.Parse(connectionString).Database;

        var result = await RunClientAsync(["submit", "--run-id", "it-run", "--set", "steps=2"], connectionString);

        Assert.True(result.ExitCode == 4, result.Describe("grpo submit"));
        Assert.Equal(
            $"grpo: Database '{database}' at 127.0.0.1:{server.Port} has no Orleans schema (no OrleansQuery table): run deploy/postgres/create-schema.sh.",
            result.StandardError.Trim());
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public async Task Status_on_a_prepared_database_without_silos_exits_with_4_naming_the_cluster_id()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();

        var result = await RunClientAsync(["status", "it-run", "--cluster-id", "nobody-home"], connectionString);

        Assert.True(result.ExitCode == 4, result.Describe("grpo status"));
        Assert.StartsWith("grpo: cannot connect to cluster 'nobody-home': ", result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    private static async Task<ScriptResult> RunClientAsync(IEnumerable<string> arguments, string cluster)
    {
        // The solution build puts the client beside the silo; this project cannot reference it without a csproj change.
        var executable = Path.Combine(RepositoryLayout.Root, "client", "bin", RepositoryLayout.Configuration, "net10.0", "grpo");
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"grpo is not built at {executable}; build the client project ({RepositoryLayout.Configuration}) first.", executable);
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Through the variable, as an operator would set it, so GRPO_CLUSTER is exercised too.
        start.Environment["GRPO_CLUSTER"] = cluster;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"grpo {string.Join(' ', arguments)} did not finish within 60 s.\n{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
