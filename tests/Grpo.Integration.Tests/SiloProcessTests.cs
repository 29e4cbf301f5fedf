using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>The real grpo-silo executable against the test PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloProcessTests(PostgresServer server)
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(45);

    // Orleans declares a silo dead after missed probes (about 3 × 5 s) plus a vote; generous for a 2-core machine.
    private static readonly TimeSpan DeathTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_silos_join_one_cluster_through_postgres_and_a_sigterm_leaves_it_gracefully()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        var clusterId = NewClusterId();
        await using var rollout = SiloProcess.StartInCluster(connectionString, clusterId, "rollout");
        await using var learner = SiloProcess.StartInCluster(connectionString, clusterId, "learner");

        var rolloutJoined = await rollout.WaitForJoinAsync(JoinTimeout);
        var learnerJoined = await learner.WaitForJoinAsync(JoinTimeout);

        Assert.StartsWith($"grpo-silo: joined cluster {clusterId} as 127.0.0.1:{rollout.SiloPort}@", rolloutJoined);
        Assert.EndsWith(" with roles rollout on cpu", rolloutJoined);
        Assert.EndsWith(" with roles learner on cpu", learnerJoined);
        var rows = await MembershipRow.ReadAsync(connectionString, clusterId);
        Assert.Equal(
            new[] { (rollout.SiloPort, MembershipRow.Active), (learner.SiloPort, MembershipRow.Active) }.OrderBy(row => row.Item1),
            rows.Select(row => (row.Port, row.Status)));

        await learner.TerminateAsync();

        Assert.Equal(0, await learner.WaitForExitAsync(ExitTimeout));
        Assert.Contains($"grpo-silo: left cluster {clusterId}", learner.Output);
        // A graceful stop writes its own death into the table; nobody had to suspect it.
        var learnerRow = Assert.Single(await MembershipRow.ReadAsync(connectionString, clusterId), row => row.Port == learner.SiloPort);
        Assert.Equal(MembershipRow.Dead, learnerRow.Status);
        Assert.False(rollout.HasExited, rollout.Output);
    }

    [Fact]
    public async Task A_sigkilled_silo_is_declared_dead_while_the_other_keeps_running()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        var clusterId = NewClusterId();
        await using var survivor = SiloProcess.StartInCluster(connectionString, clusterId, "rollout,learner");
        await using var victim = SiloProcess.StartInCluster(connectionString, clusterId, "rollout");
        await survivor.WaitForJoinAsync(JoinTimeout);
        await victim.WaitForJoinAsync(JoinTimeout);

        victim.Kill();
        await victim.WaitForExitAsync(ExitTimeout);
        var declaredDead = Stopwatch.StartNew();
        List<MembershipRow> rows;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rows = await MembershipRow.ReadAsync(connectionString, clusterId);
        }
        while (rows.Single(row => row.Port == victim.SiloPort).Status != MembershipRow.Dead && declaredDead.Elapsed < DeathTimeout);

        Assert.True(rows.Single(row => row.Port == victim.SiloPort).Status == MembershipRow.Dead,
            $"the killed silo was not declared dead within {DeathTimeout.TotalSeconds} s; survivor output:\n{survivor.Output}");
        Assert.Equal(MembershipRow.Active, rows.Single(row => row.Port == survivor.SiloPort).Status);
        Assert.False(survivor.HasExited, survivor.Output);
    }

    [Fact]
    public async Task A_silo_given_an_unreachable_database_exits_4_naming_host_and_port()
    {
        var port = FreePort.Next();
        await using var silo = SiloProcess.Start(["--cluster", server.ConnectionStringFor("grpo", port: port)]);

        Assert.Equal(4, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Contains($"grpo-silo: PostgreSQL at 127.0.0.1:{port} is unreachable (connection refused)", silo.Output);
    }

    [Fact]
    public async Task A_silo_given_a_wrong_password_exits_4_naming_the_user()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        await using var silo = SiloProcess.Start(["--cluster", connectionString.Replace(server.Password, "wrong", StringComparison.Ordinal)]);

        Assert.Equal(4, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Contains($"grpo-silo: PostgreSQL at 127.0.0.1:{server.Port} refused user 'grpo' (authentication failed)", silo.Output);
    }

    [Fact]
    public async Task A_silo_against_a_database_without_the_schema_exits_4_saying_to_run_create_schema()
    {
        var connectionString = await server.CreateEmptyDatabaseAsync();
        await using var silo = SiloProcess.Start(["--cluster", connectionString]);

        Assert.Equal(4, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Contains("has no Orleans schema (no OrleansQuery table): run deploy/postgres/create-schema.sh.", silo.Output);
    }

    [Fact]
    public async Task A_silo_given_bad_arguments_exits_2_with_one_line()
    {
        await using var silo = SiloProcess.Start(["--roles", "rollout,critic"]);

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Equal(
            "grpo-silo: --roles (GRPO_ROLES, \"Roles\") has the unknown role 'critic'; roles are rollout and learner.",
            silo.Output.TrimEnd());
    }

    private static string NewClusterId() => "it-" + Guid.NewGuid().ToString("N")[..12];
}
