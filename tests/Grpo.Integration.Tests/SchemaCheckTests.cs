using Grpo.Hosting;

namespace Grpo.Integration.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaCheckTests(PostgresServer server)
{
    [Fact]
    public async Task A_port_nothing_listens_on_is_unreachable_naming_host_and_port()
    {
        var port = FreePort.Next();

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(
            () => SchemaCheck.EnsureAsync(server.ConnectionStringFor("grpo", port: port)));

        Assert.Equal(ClusterProblem.Unreachable, error.Problem);
        Assert.Equal(
            $"PostgreSQL at 127.0.0.1:{port} is unreachable (connection refused): start the server or correct Host and Port in the cluster connection string.",
            error.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_naming_the_user()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        var wrong = connectionString.Replace(server.Password, "not-the-password", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(() => SchemaCheck.EnsureAsync(wrong));

        Assert.Equal(ClusterProblem.AuthenticationFailed, error.Problem);
        Assert.Equal(
            $"PostgreSQL at 127.0.0.1:{server.Port} refused user 'grpo' (authentication failed): check Username and Password in the cluster connection string.",
            error.Message);
    }

    [Fact]
    public async Task A_missing_database_says_to_run_create_schema()
    {
        var database = PostgresServer.NewDatabaseName();

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(() => SchemaCheck.EnsureAsync(server.ConnectionStringFor(database)));

        Assert.Equal(ClusterProblem.DatabaseMissing, error.Problem);
        Assert.Equal(
            $"PostgreSQL at 127.0.0.1:{server.Port} has no database '{database}': run deploy/postgres/create-schema.sh to create it with its schema.",
            error.Message);
    }

    [Fact]
    public async Task A_database_without_the_schema_says_to_run_create_schema()
    {
        var connectionString = await server.CreateEmptyDatabaseAsync();
        var database = ClusterConnection.Parse(connectionString).Database;

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(() => SchemaCheck.EnsureAsync(connectionString));

        Assert.Equal(ClusterProblem.SchemaMissing, error.Problem);
        Assert.Equal(
            $"Database '{database}' at 127.0.0.1:{server.Port} has no Orleans schema (no OrleansQuery table): run deploy/postgres/create-schema.sh.",
            error.Message);
    }

    [Fact]
    public async Task A_schema_missing_a_provider_query_names_the_query()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        await PostgresServer.ExecuteAsync(connectionString, "DELETE FROM OrleansQuery WHERE QueryKey IN ('UpsertReminderRowKey', 'GatewaysQueryKey')");

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(() => SchemaCheck.EnsureAsync(connectionString));

        Assert.Equal(ClusterProblem.SchemaMissing, error.Problem);
        Assert.Contains("missing queries GatewaysQueryKey, UpsertReminderRowKey", error.Message);
        Assert.EndsWith("run deploy/postgres/create-schema.sh.", error.Message);
    }

    [Fact]
    public async Task A_database_made_by_create_schema_passes() =>
        await SchemaCheck.EnsureAsync(await server.CreateDatabaseWithSchemaAsync());
}
