namespace Grpo.Integration.Tests;

/// <summary>start-local.sh takes the role's password from GRPO_PG_PASSWORD or a file, never from its command line, and invents none.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StartLocalPasswordTests(PostgresServer server)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Without_a_password_it_stops_and_says_where_one_comes_from()
    {
        var result = await Script.RunAsync("start-local.sh", server.StartArguments(), ScriptTimeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no password: set GRPO_PG_PASSWORD or pass --password-file FILE", result.StandardError);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public async Task A_password_on_the_command_line_is_refused()
    {
        var result = await Script.RunAsync("start-local.sh", [.. server.StartArguments(), "--password", server.Password], ScriptTimeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--password would show the password to every user in ps", result.StandardError);
    }

    [Fact]
    public async Task A_password_file_and_the_variable_together_are_refused()
    {
        using var folder = new ScratchFolder();
        var file = folder.Write("pg-password", server.Password + "\n");

        var result = await Script.RunAsync("start-local.sh", [.. server.StartArguments(), "--password-file", file], ScriptTimeout, server.StartEnvironment());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("both GRPO_PG_PASSWORD and --password-file are set", result.StandardError);
    }

    [Theory]
    [InlineData("", "starts with an empty line")]
    [InlineData(null, "cannot be read")]
    public async Task An_empty_or_missing_password_file_is_refused(string? content, string complaint)
    {
        using var folder = new ScratchFolder();
        var file = content is null ? Path.Combine(folder.Path, "absent") : folder.Write("pg-password", content);

        var result = await Script.RunAsync("start-local.sh", [.. server.StartArguments(), "--password-file", file], ScriptTimeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--password-file '{file}' {complaint}", result.StandardError);
    }

    [Fact]
    public async Task The_first_line_of_the_password_file_is_the_password_the_server_then_accepts()
    {
        using var folder = new ScratchFolder();
        // The same password again: the server is shared by the whole test run.
        var file = folder.Write("pg-password", server.Password + "\nignored second line\n");

        var result = await Script.RunAsync("start-local.sh", [.. server.StartArguments(), "--password-file", file], ScriptTimeout);

        Assert.True(result.ExitCode == 0, result.Describe("start-local.sh --password-file"));
        Assert.EndsWith($";Password={server.Password}", result.StandardOutput.TrimEnd());
        var answer = await PostgresServer.QueryAsync(server.ConnectionStringFor("postgres"), "SELECT 1", reader => reader.GetInt32(0));
        Assert.Equal([1], answer);
    }
}
