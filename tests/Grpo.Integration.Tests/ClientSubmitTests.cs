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

        var result = await GrpoClientProcess.RunAsync(["submit", "--run-id", "it-run", "--set", "steps=2"], connectionString);

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

        var result = await GrpoClientProcess.RunAsync(["status", "it-run", "--cluster-id", "nobody-home"], connectionString);

        Assert.True(result.ExitCode == 4, result.Describe("grpo status"));
        Assert.StartsWith("grpo: cannot connect to cluster 'nobody-home': ", result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }
}
