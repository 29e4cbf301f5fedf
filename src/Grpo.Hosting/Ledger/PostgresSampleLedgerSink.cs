using System.Text.Json;
using Grpo.Grains.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace Grpo.Hosting.Ledger;

/// <summary>
/// Writes ledger rows to the cluster database's grpo_sample_ledger table (deploy/postgres/05-ledger.sql). One write is
/// one transaction: each step's old rows are deleted and its new rows inserted from column arrays in one statement
/// (with ON CONFLICT DO UPDATE as well, should the same key come twice), so a redone step never keeps rows of an
/// earlier training of it, even one whose prompt indexes differed (dynamic sampling draws replacement prompts).
/// </summary>
public sealed class PostgresSampleLedgerSink(string connectionString) : ISampleLedgerSink
{
    public const string Table = "grpo_sample_ledger";

    const string Insert = $"""
        INSERT INTO {Table} (run_id, step, prompt_index, sample_index, group_id, policy_version, lineage, image_sha256, silo,
                             reward, reward_components, advantage, token_count, finish_reason, prompt, completion)
        SELECT * FROM unnest(@run_id, @step, @prompt_index, @sample_index, @group_id, @policy_version, @lineage, @image_sha256,
                             @silo, @reward, @reward_components, @advantage, @token_count, @finish_reason, @prompt, @completion)
        ON CONFLICT (run_id, step, prompt_index, sample_index) DO UPDATE SET
            group_id = EXCLUDED.group_id, policy_version = EXCLUDED.policy_version, lineage = EXCLUDED.lineage,
            image_sha256 = EXCLUDED.image_sha256, silo = EXCLUDED.silo, reward = EXCLUDED.reward,
            reward_components = EXCLUDED.reward_components, advantage = EXCLUDED.advantage, token_count = EXCLUDED.token_count,
            finish_reason = EXCLUDED.finish_reason, prompt = EXCLUDED.prompt, completion = EXCLUDED.completion, recorded_at = now()
        """;

    const string DeleteSteps = $"DELETE FROM {Table} t USING unnest(@runs, @steps) AS s(run_id, step) WHERE t.run_id = s.run_id AND t.step = s.step";

    readonly string connection = ClusterConnection.Parse(connectionString).ConnectionString;

    public async Task WriteAsync(IReadOnlyList<LedgerStep> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var rows = steps.SelectMany(step => step.Rows).ToArray();
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand(DeleteSteps, database, transaction))
        {
            delete.Parameters.Add(Array("runs", NpgsqlDbType.Text, steps.Select(s => s.RunId)));
            delete.Parameters.Add(Array("steps", NpgsqlDbType.Bigint, steps.Select(s => s.Step)));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        if (rows.Length > 0)
        {
            await using var insert = new NpgsqlCommand(Insert, database, transaction);
            insert.Parameters.Add(Array("run_id", NpgsqlDbType.Text, rows.Select(r => r.RunId)));
            insert.Parameters.Add(Array("step", NpgsqlDbType.Bigint, rows.Select(r => r.Step)));
            insert.Parameters.Add(Array("prompt_index", NpgsqlDbType.Integer, rows.Select(r => r.PromptIndex)));
            insert.Parameters.Add(Array("sample_index", NpgsqlDbType.Integer, rows.Select(r => r.SampleIndex)));
            insert.Parameters.Add(Array("group_id", NpgsqlDbType.Text, rows.Select(r => r.GroupId)));
            insert.Parameters.Add(Array("policy_version", NpgsqlDbType.Bigint, rows.Select(r => r.PolicyVersion)));
            insert.Parameters.Add(Array("lineage", NpgsqlDbType.Text, rows.Select(r => r.Lineage)));
            insert.Parameters.Add(Array("image_sha256", NpgsqlDbType.Text, rows.Select(r => r.ImageSha256)));
            insert.Parameters.Add(Array("silo", NpgsqlDbType.Text, rows.Select(r => Storable(r.Silo))));
            insert.Parameters.Add(Array("reward", NpgsqlDbType.Real, rows.Select(r => r.Reward)));
            insert.Parameters.Add(Array("reward_components", NpgsqlDbType.Jsonb, rows.Select(r => JsonSerializer.Serialize(r.RewardComponents))));
            insert.Parameters.Add(Array("advantage", NpgsqlDbType.Real, rows.Select(r => r.Advantage)));
            insert.Parameters.Add(Array("token_count", NpgsqlDbType.Integer, rows.Select(r => r.TokenCount)));
            insert.Parameters.Add(Array("finish_reason", NpgsqlDbType.Text, rows.Select(r => r.FinishReason)));
            insert.Parameters.Add(Array("prompt", NpgsqlDbType.Text, rows.Select(r => Storable(r.Prompt))));
            insert.Parameters.Add(Array("completion", NpgsqlDbType.Text, rows.Select(r => Storable(r.Text))));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    static NpgsqlParameter Array<T>(string name, NpgsqlDbType element, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | element) { Value = values.ToArray() };

    /// <summary>PostgreSQL text cannot hold NUL, which a sampled completion may contain; it is stored as U+FFFD.</summary>
    static string Storable(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
}
