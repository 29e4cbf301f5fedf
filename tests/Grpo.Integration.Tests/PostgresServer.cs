using Npgsql;

namespace Grpo.Integration.Tests;

/// <summary>
/// One PostgreSQL server for the whole test run, started by deploy/postgres/start-local.sh on a free port with a data
/// directory under /tmp, and stopped (pg_ctl stop, through stop-local.sh) at the end. Tests get their own databases.
/// If the server cannot start, every test using it fails with the script's output.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public int Port { get; } = FreePort.Next();
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "grpo-it-pg-" + Guid.NewGuid().ToString("N")[..12]);
    public string User => "grpo";
    public string Password { get; } = "it-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The line start-local.sh printed (it names the "grpo" database, which the tests never create).</summary>
    public string PrintedConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var result = await Script.RunAsync("start-local.sh", StartArguments(), StartTimeout, StartEnvironment());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("PostgreSQL could not be started for the integration tests: " + result.Describe("start-local.sh"));
        }

        PrintedConnectionString = result.StandardOutput.TrimEnd().Split('\n')[^1];
    }

    public IEnumerable<string> StartArguments() =>
        ["--data-dir", DataDirectory, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", User];

    /// <summary>The password goes through the environment, as start-local.sh takes it (never on its command line).</summary>
    public IReadOnlyDictionary<string, string> StartEnvironment() => new Dictionary<string, string> { ["GRPO_PG_PASSWORD"] = Password };

    public string ConnectionStringFor(string database, string? password = null, int? port = null) =>
        $"Host=127.0.0.1;Port={port ?? Port};Database={database};Username={User};Password={password ?? Password}";

    public static string NewDatabaseName() => "it_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A fresh database with the Orleans schema, made by create-schema.sh; returns its connection string.</summary>
    public async Task<string> CreateDatabaseWithSchemaAsync()
    {
        var connectionString = ConnectionStringFor(NewDatabaseName());
        var result = await Script.RunAsync("create-schema.sh", ["--connection", connectionString], TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Describe("create-schema.sh"));
        return connectionString;
    }

    /// <summary>A fresh database with nothing in it; returns its connection string.</summary>
    public async Task<string> CreateEmptyDatabaseAsync()
    {
        var database = NewDatabaseName();
        await ExecuteAsync(ConnectionStringFor("postgres"), $"CREATE DATABASE \"{database}\"");
        return ConnectionStringFor(database);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public async Task DisposeAsync()
    {
        if (!Directory.Exists(DataDirectory))
        {
            return;
        }

        var result = await Script.RunAsync("stop-local.sh", ["--data-dir", DataDirectory], TimeSpan.FromMinutes(1));
        // A server still running on the directory must not lose it underneath; a failed stop is reported instead.
        Assert.True(result.ExitCode == 0, result.Describe("stop-local.sh"));
        Directory.Delete(DataDirectory, recursive: true);
    }

    // Pooled connections would keep test databases busy after each test for nothing.
    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
