namespace Grpo.Integration.Tests;

/// <summary>
/// Real grpo-silo processes on PostgreSQL with mutual TLS, certificates made by deploy/tls/make-test-certs.sh: a run
/// goes through silo-to-silo TLS for a client of the cluster's authority, and clients without a certificate or with
/// one of another authority are refused with a sentence saying why.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MutualTlsClusterTests(PostgresServer server)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task A_client_of_the_clusters_authority_runs_a_run_and_clients_without_its_certificate_are_refused()
    {
        using var certificates = await TestCertificates.MakeAsync("Cluster CA", "client");
        using var stranger = await TestCertificates.MakeAsync("Other CA", "client");
        await using var cluster = await ScenarioCluster.StartAsync(server);
        var learner = await cluster.AddSiloAsync("rollout,learner", certificates.SiloArguments);
        var rollout = await cluster.AddSiloAsync("rollout", certificates.SiloArguments);
        Assert.Contains(" over mutual TLS", learner.Output);
        Assert.Contains(" over mutual TLS", rollout.Output);

        cluster.ClientArguments = certificates.ClientArguments();
        var submit = await cluster.ClientAsync("submit", "--run-id", "tls-run",
            "--set", "steps=2", "--set", "prompts_per_step=4", "--set", "group_size=4", "--set", "minibatch_size=16",
            "--set", "max_completion_tokens=4", "--set", "task.max_operand=19", "--set", "held_out_size=16", "--set", "eval_every=0");
        Assert.True(submit.ExitCode == 0, submit.Describe("grpo submit over TLS"));
        var finished = await cluster.WaitUntilAsync("tls-run", run => run.Status.IsFinished, RunTimeout);
        Assert.Equal("Completed", finished.Status.State);
        var list = await cluster.ClientAsync("list");
        Assert.True(list.ExitCode == 0, list.Describe("grpo list over TLS"));
        Assert.Contains("tls-run", list.StandardOutput);

        // Without a certificate; GRPO_LOG_LEVEL shows the Orleans client's own warnings as well.
        var plaintext = await GrpoClientProcess.RunAsync(["list", "--cluster-id", cluster.ClusterId], cluster.ConnectionString,
            environment: new Dictionary<string, string> { ["GRPO_LOG_LEVEL"] = "Warning" });
        Assert.True(plaintext.ExitCode == 4, plaintext.Describe("grpo list without a certificate"));
        Assert.Contains(
            $"grpo: cannot connect to cluster '{cluster.ClusterId}': no silo answered within 15 s: the gateways closed every connection, as silos with mutual TLS do when a client brings no certificate; give --tls-cert, --tls-key and --tls-ca",
            plaintext.StandardError);
        Assert.Contains("warn: Orleans.Runtime.Messaging.ConnectionManager", plaintext.StandardError);
        Assert.Equal("", plaintext.StandardOutput);

        cluster.ClientArguments = stranger.ClientArguments();
        var otherAuthority = await cluster.ClientAsync("list");
        Assert.True(otherAuthority.ExitCode == 4, otherAuthority.Describe("grpo list with another authority's certificate"));
        Assert.Equal(
            $"grpo: cannot connect to cluster '{cluster.ClusterId}': no silo answered within 15 s: this client refused the gateway's TLS certificate 'CN=silo': unable to get local issuer certificate; the silos' certificates and --tls-ca must come from the same authority.",
            otherAuthority.StandardError.Trim());
        Assert.Equal("", otherAuthority.StandardOutput);

        // A client that trusts both authorities accepts the gateway, but the silo refuses its certificate and logs why.
        var bothAuthorities = Path.Combine(stranger.Folder, "both-ca.pem");
        await File.WriteAllTextAsync(bothAuthorities, await File.ReadAllTextAsync(certificates.Authority) + await File.ReadAllTextAsync(stranger.Authority));
        cluster.ClientArguments = ["--tls-cert", Path.Combine(stranger.Folder, "client.pem"), "--tls-key", Path.Combine(stranger.Folder, "client.key"), "--tls-ca", bothAuthorities];
        var refusedBySilo = await cluster.ClientAsync("list");
        Assert.True(refusedBySilo.ExitCode == 4, refusedBySilo.Describe("grpo list with a certificate the silos do not trust"));
        Assert.Equal(
            $"grpo: cannot connect to cluster '{cluster.ClusterId}': no silo answered within 15 s: the gateways closed every connection right after the TLS handshake, as silos do when they refuse a client's certificate; is this client's --tls-cert issued by the authority the silos trust?",
            refusedBySilo.StandardError.Trim());
        Assert.Contains("Refused a TLS connection: certificate 'CN=client': ", learner.Output + rollout.Output);
        Assert.False(learner.HasExited);
        Assert.False(rollout.HasExited);
    }
}
