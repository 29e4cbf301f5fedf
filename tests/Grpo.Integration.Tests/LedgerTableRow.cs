using System.Text.Json;
using Grpo.Hosting.Ledger;

namespace Grpo.Integration.Tests;

/// <summary>A run's rows of the sample ledger as the table holds them, read straight from the cluster database.</summary>
public sealed record LedgerTableRow(
    long Step, int PromptIndex, int SampleIndex, long PolicyVersion, string Lineage, string? ImageSha256, string Silo, float Reward,
    IReadOnlyDictionary<string, float> RewardComponents, float Advantage, DateTimeOffset RecordedAt)
{
    /// <summary>Every row of <paramref name="runId"/>, in step, prompt, sample order.</summary>
    public static Task<List<LedgerTableRow>> ReadAsync(string connectionString, string runId) =>
        PostgresServer.QueryAsync(connectionString,
            $"""
            SELECT step, prompt_index, sample_index, policy_version, lineage, image_sha256, silo, reward, reward_components::text, advantage, recorded_at
            FROM {PostgresSampleLedgerSink.Table} WHERE run_id = '{runId}' ORDER BY step, prompt_index, sample_index
            """,
            reader => new LedgerTableRow(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetFloat(7),
                JsonSerializer.Deserialize<Dictionary<string, float>>(reader.GetString(8)) ?? [], reader.GetFloat(9),
                reader.GetFieldValue<DateTimeOffset>(10)));

    /// <summary>The highest step of <paramref name="runId"/> in the ledger, or -1 while it has none.</summary>
    public static async Task<long> HighestStepAsync(string connectionString, string runId) =>
        (await PostgresServer.QueryAsync(connectionString,
            $"SELECT coalesce(max(step), -1) FROM {PostgresSampleLedgerSink.Table} WHERE run_id = '{runId}'", reader => reader.GetInt64(0)))[0];

    /// <summary>The database's clock, against which <see cref="RecordedAt"/> is set.</summary>
    public static async Task<DateTimeOffset> DatabaseNowAsync(string connectionString) =>
        (await PostgresServer.QueryAsync(connectionString, "SELECT now()", reader => reader.GetFieldValue<DateTimeOffset>(0)))[0];
}
