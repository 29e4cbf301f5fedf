using Grpo.Grains.Ledger;
using Grpo.Hosting;
using Grpo.Hosting.Ledger;

namespace Grpo.Integration.Tests;

/// <summary>The sample ledger's PostgreSQL writer and reader against a real server and the schema of create-schema.sh.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SampleLedgerDatabaseTests(PostgresServer server)
{
    static LedgerStep Step(string runId, long step, int[] prompts, float reward, string text = "2") => new(runId, step,
        [.. prompts.SelectMany(p => Enumerable.Range(0, 2).Select(s => new LedgerRow(runId, step, p, s, $"{step}/{p}", step, "lin", "AB12", "silo-1",
            reward, new Dictionary<string, float> { ["answer"] = reward }, -0.5f, 2, "eos", "1+1=", text)))]);

    [Fact]
    public async Task A_step_written_again_replaces_all_its_rows_and_the_reader_filters_by_step_and_reward()
    {
        var connection = await server.CreateDatabaseWithSchemaAsync();
        var sink = new PostgresSampleLedgerSink(connection);

        await sink.WriteAsync([Step("r1", 0, [0, 1], 1f), Step("r1", 1, [0, 1], 0f), Step("r2", 0, [0], 1f)], CancellationToken.None);
        // Step 1 trained again after a restore, with other prompts (dynamic sampling): none of its first rows remain.
        await sink.WriteAsync([Step("r1", 1, [2], 0.5f, "a\0b")], CancellationToken.None);

        Assert.Equal(6, await SampleLedgerQuery.CountAsync(connection, "r1"));
        var stepOne = await SampleLedgerQuery.ReadAsync(connection, new LedgerFilter("r1", Step: 1));
        Assert.Equal([(2, 0), (2, 1)], stepOne.Select(s => (s.PromptIndex, s.SampleIndex)));
        Assert.All(stepOne, s => Assert.Equal("a\uFFFDb", s.Completion));
        Assert.Equal(0.5f, stepOne[0].RewardComponents["answer"]);
        var rewarded = await SampleLedgerQuery.ReadAsync(connection, new LedgerFilter("r1", MinReward: 0.75f, Limit: 3));
        Assert.Equal(3, rewarded.Count);
        Assert.All(rewarded, s => Assert.Equal((0L, 1f, "AB12"), (s.Step, s.Reward, s.ImageSha256)));

        Assert.Equal(6, await SampleLedgerQuery.DeleteRunAsync(connection, "r1"));
        Assert.Equal(0, await SampleLedgerQuery.CountAsync(connection, "r1"));
        Assert.Equal(2, await SampleLedgerQuery.CountAsync(connection, "r2"));
    }

    [Fact]
    public async Task A_database_without_the_ledger_table_is_named_with_the_script_to_run()
    {
        var connection = await server.CreateDatabaseWithSchemaAsync();
        await PostgresServer.ExecuteAsync(connection, "DROP TABLE grpo_sample_ledger");

        var error = await Assert.ThrowsAsync<ClusterConfigurationException>(() => SampleLedgerQuery.ReadAsync(connection, new LedgerFilter("r1")));

        Assert.Equal(ClusterProblem.SchemaMissing, error.Problem);
        Assert.EndsWith("has no sample ledger table (grpo_sample_ledger): run deploy/postgres/create-schema.sh.", error.Message);
    }
}
