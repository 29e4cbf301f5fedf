using System.Globalization;

namespace Grpo.Integration.Tests;

/// <summary>Bad input given to the built grpo client: one clear line on stderr, a non-zero exit code, and nothing started.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClientBadInputTests(PostgresServer server)
{
    [Fact]
    public async Task Submit_with_a_config_file_holding_an_unknown_key_exits_2_naming_file_line_and_key_and_starts_no_run()
    {
        await using var cluster = await ScenarioCluster.StartAsync(server, "rollout,learner");
        var config = cluster.WriteConfig("typo.json", "{\n  \"steps\": 20,\n  \"prompts_per_stepz\": 4\n}\n");

        var submit = await cluster.ClientAsync("submit", "--config", config, "--run-id", "typo-run");

        Assert.True(submit.ExitCode == 2, submit.Describe("grpo submit"));
        Assert.Equal("", submit.StandardOutput);
        Assert.Equal(
            $"grpo: Invalid run configuration in {config}:\n  line 3: prompts_per_stepz: unknown key; did you mean prompts_per_step?",
            submit.StandardError.TrimEnd());

        // The cluster is up and answers: it has never heard of the run.
        var status = await cluster.ClientAsync("status", "typo-run");
        Assert.True(status.ExitCode == 1, status.Describe("grpo status"));
        Assert.Equal("grpo: no run named typo-run", status.StandardError.TrimEnd());
    }

    [Fact]
    public async Task Submit_to_an_unreachable_database_exits_4_naming_host_and_port()
    {
        var port = FreePort.Next();

        var result = await GrpoClientProcess.RunAsync(["submit", "--run-id", "r"], server.ConnectionStringFor("grpo", port: port));

        Assert.True(result.ExitCode == 4, result.Describe("grpo submit"));
        Assert.Equal("", result.StandardOutput);
        // An unreachable server is retried with backoff, each retry reported, before the one-line verdict.
        var lines = result.StandardError.TrimEnd().Split('\n');
        Assert.Equal(
            $"grpo: PostgreSQL at 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} is unreachable (connection refused): "
            + "start the server or correct Host and Port in the cluster connection string.",
            lines[^1]);
        Assert.NotEmpty(lines[..^1]);
        Assert.All(lines[..^1], line => Assert.StartsWith("grpo: Cluster connection call failed (attempt ", line));
    }

    [Fact]
    public async Task Status_with_a_wrong_password_exits_4_naming_the_user()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();

        var result = await GrpoClientProcess.RunAsync(["status", "r"], connectionString.Replace(server.Password, "wrong", StringComparison.Ordinal));

        Assert.True(result.ExitCode == 4, result.Describe("grpo status"));
        Assert.StartsWith($"grpo: PostgreSQL at 127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)} refused user 'grpo' (authentication failed)",
            result.StandardError);
    }

    [Theory]
    [InlineData("this is not one", "grpo: The cluster connection string is not valid: ")]
    [InlineData("Host=127.0.0.1;Database=grpo", "grpo: The cluster connection string has no Username; ")]
    public async Task A_malformed_connection_string_exits_4_saying_what_is_wrong(string connectionString, string message)
    {
        var result = await GrpoClientProcess.RunAsync(["status", "r"], connectionString);

        Assert.True(result.ExitCode == 4, result.Describe("grpo status"));
        Assert.StartsWith(message, result.StandardError);
        Assert.EndsWith("expected something like \"Host=127.0.0.1;Port=5433;Database=grpo;Username=grpo;Password=...\".", result.StandardError.TrimEnd());
        Assert.Equal("", result.StandardOutput);
    }
}
