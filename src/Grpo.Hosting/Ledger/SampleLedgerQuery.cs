using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Grpo.Hosting.Ledger;

/// <summary>
/// Reads and deletes a run's rows of the sample ledger in the cluster database, for <c>grpo samples</c>. A database
/// that cannot be used, or has no ledger table, ends in a <see cref="ClusterConfigurationException"/> that says what to do.
/// </summary>
public static class SampleLedgerQuery
{
    const string Select = $"""
        SELECT run_id, step, prompt_index, sample_index, group_id, policy_version, lineage, image_sha256, silo, reward,
               reward_components::text, advantage, token_count, finish_reason, prompt, completion, recorded_at
        FROM {PostgresSampleLedgerSink.Table}
        WHERE run_id = @run AND (@step IS NULL OR step = @step) AND (@min_reward IS NULL OR reward >= @min_reward)
        ORDER BY step, prompt_index, sample_index
        LIMIT @limit
        """;

    /// <summary>The rows of <paramref name="filter"/>, in step, prompt, sample order.</summary>
    /// <exception cref="ClusterConfigurationException">The database cannot be used or has no ledger table.</exception>
    public static async Task<IReadOnlyList<LedgerSample>> ReadAsync(string connectionString, LedgerFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var database = await OpenAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand(Select, database);
        command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Text) { Value = filter.RunId });
        command.Parameters.Add(new NpgsqlParameter("step", NpgsqlDbType.Bigint) { Value = filter.Step is { } step ? step : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("min_reward", NpgsqlDbType.Real) { Value = filter.MinReward is { } min ? min : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = filter.Limit });
        var samples = new List<LedgerSample>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            samples.Add(new LedgerSample(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetString(4), reader.GetInt64(5),
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.GetFloat(9),
                JsonSerializer.Deserialize<Dictionary<string, float>>(reader.GetString(10)) ?? [],
                reader.GetFloat(11), reader.GetInt32(12), reader.GetString(13), reader.GetString(14), reader.GetString(15),
                reader.GetFieldValue<DateTimeOffset>(16)));
        }

        return samples;
    }

    /// <summary>How many rows the run has in the ledger, whatever the filter.</summary>
    public static async Task<long> CountAsync(string connectionString, string runId, CancellationToken cancellationToken = default)
    {
        await using var database = await OpenAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {PostgresSampleLedgerSink.Table} WHERE run_id = @run", database);
        command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Text) { Value = runId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Deletes every ledger row of the run (the ledger's retention is up to its users); returns how many there were.</summary>
    public static async Task<int> DeleteRunAsync(string connectionString, string runId, CancellationToken cancellationToken = default)
    {
        await using var database = await OpenAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand($"DELETE FROM {PostgresSampleLedgerSink.Table} WHERE run_id = @run", database);
        command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Text) { Value = runId });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = ClusterConnection.Parse(connectionString);
        var database = new NpgsqlConnection(connection.ConnectionString);
        try
        {
            await SchemaCheck.OpenAsync(database, connection, cancellationToken);
            await using var hasTable = new NpgsqlCommand($"SELECT to_regclass('{PostgresSampleLedgerSink.Table}') IS NOT NULL", database);
            if (await hasTable.ExecuteScalarAsync(cancellationToken) is not true)
                throw new ClusterConfigurationException(ClusterProblem.SchemaMissing,
                    $"Database '{connection.Database}' at {connection.Endpoint} has no sample ledger table ({PostgresSampleLedgerSink.Table}): run deploy/postgres/create-schema.sh.");
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}
