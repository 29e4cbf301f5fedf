using Grpo.Hosting;

namespace Grpo.Integration.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaScriptTests(PostgresServer server)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Create_schema_run_twice_creates_the_database_once_and_leaves_the_same_complete_schema()
    {
        var connectionString = server.ConnectionStringFor(PostgresServer.NewDatabaseName());

        var first = await Script.RunAsync("create-schema.sh", ["--connection", connectionString], ScriptTimeout);
        Assert.True(first.ExitCode == 0, first.Describe("create-schema.sh (first run)"));
        Assert.Contains("created database", first.StandardError);
        var afterFirst = await SchemaSnapshotAsync(connectionString);

        // The second run takes the connection from GRPO_CLUSTER, the variable grpo-silo reads too.
        var second = await Script.RunAsync("create-schema.sh", [], ScriptTimeout,
            new Dictionary<string, string> { ["GRPO_CLUSTER"] = connectionString });
        Assert.True(second.ExitCode == 0, second.Describe("create-schema.sh (second run)"));
        Assert.DoesNotContain("created database", second.StandardError);
        var afterSecond = await SchemaSnapshotAsync(connectionString);

        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(
            ["grpo_sample_ledger", "orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "orleansreminderstable", "orleansstorage"],
            afterFirst.Tables);
        // Every key a provider requires, plus the two optional ones (dead-row cleanup by entry, delete-on-clear).
        Assert.Equal(
            OrleansQueryKeys.All.Append("CleanupDefunctSiloEntryKey").Append("DeleteStorageKey").Order(StringComparer.Ordinal),
            afterFirst.QueryKeys.Order(StringComparer.Ordinal));
        await SchemaCheck.EnsureAsync(connectionString);
    }

    [Fact]
    public async Task Create_schema_names_the_server_it_cannot_reach()
    {
        var port = FreePort.Next();

        var result = await Script.RunAsync("create-schema.sh", ["--connection", server.ConnectionStringFor("grpo", port: port)], ScriptTimeout);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.StandardError);
    }

    [Fact]
    public async Task Create_schema_refuses_an_unknown_argument()
    {
        var result = await Script.RunAsync("create-schema.sh", ["--colour", "blue"], ScriptTimeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown argument '--colour'", result.StandardError);
    }

    [Fact]
    public async Task Start_local_run_again_keeps_the_running_server_and_prints_the_same_connection_string()
    {
        var result = await Script.RunAsync("start-local.sh", server.StartArguments(), ScriptTimeout, server.StartEnvironment());

        Assert.True(result.ExitCode == 0, result.Describe("start-local.sh (again)"));
        Assert.Contains("already running", result.StandardError);
        Assert.Equal(server.PrintedConnectionString, result.StandardOutput.TrimEnd().Split('\n')[^1]);
        var answer = await PostgresServer.QueryAsync(server.ConnectionStringFor("postgres"), "SELECT 1", reader => reader.GetInt32(0));
        Assert.Equal([1], answer);
    }

    private static async Task<SchemaSnapshot> SchemaSnapshotAsync(string connectionString)
    {
        var tables = await PostgresServer.QueryAsync(connectionString,
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", reader => reader.GetString(0));
        var functions = await PostgresServer.QueryAsync(connectionString,
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
            reader => reader.GetString(0));
        var queries = await PostgresServer.QueryAsync(connectionString,
            "SELECT QueryKey || '=' || md5(QueryText) FROM OrleansQuery ORDER BY 1", reader => reader.GetString(0));
        return new SchemaSnapshot(tables, functions, queries);
    }

    private sealed record SchemaSnapshot(List<string> Tables, List<string> Functions, List<string> Queries)
    {
        public IEnumerable<string> QueryKeys => Queries.Select(query => query[..query.IndexOf('=', StringComparison.Ordinal)]);

        public bool Equals(SchemaSnapshot? other) =>
            other is not null && Tables.SequenceEqual(other.Tables) && Functions.SequenceEqual(other.Functions) && Queries.SequenceEqual(other.Queries);

        public override int GetHashCode() => HashCode.Combine(Tables.Count, Functions.Count, Queries.Count);
    }
}
