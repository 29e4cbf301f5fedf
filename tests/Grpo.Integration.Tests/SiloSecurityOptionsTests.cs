namespace Grpo.Integration.Tests;

/// <summary>grpo-silo's TLS, dashboard and log-level options refuse what they cannot honour, naming the option, before the silo starts.</summary>
public sealed class SiloSecurityOptionsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(new[] { "--advertised-ip", "10.1.2.3" },
        "grpo-silo: --advertised-ip (GRPO_ADVERTISED_IP, \"AdvertisedIp\") is 10.1.2.3, so other machines reach this silo: give it --tls-cert (GRPO_TLS_CERT, \"TlsCert\"), --tls-key (GRPO_TLS_KEY, \"TlsKey\") and --tls-ca (GRPO_TLS_CA, \"TlsCa\") (test ones: deploy/tls/make-test-certs.sh), or --tls (GRPO_TLS, \"Tls\") off on a network you trust.")]
    [InlineData(new[] { "--tls", "on" },
        "grpo-silo: TLS needs --tls-cert (GRPO_TLS_CERT, \"TlsCert\") and --tls-ca (GRPO_TLS_CA, \"TlsCa\") as well; make test ones with deploy/tls/make-test-certs.sh.")]
    [InlineData(new[] { "--tls-cert", "silo.pem", "--tls-key", "silo.key" },
        "grpo-silo: TLS needs --tls-ca (GRPO_TLS_CA, \"TlsCa\") as well; make test ones with deploy/tls/make-test-certs.sh.")]
    [InlineData(new[] { "--tls", "off", "--tls-ca", "ca.pem" },
        "grpo-silo: --tls (GRPO_TLS, \"Tls\") is off but TLS files are given (--tls-ca); drop one or the other.")]
    [InlineData(new[] { "--tls", "maybe" }, "grpo-silo: --tls (GRPO_TLS, \"Tls\") is 'maybe'; expected on or off.")]
    [InlineData(new[] { "--dashboard-port", "18080", "--dashboard-bind", "0.0.0.0" },
        "grpo-silo: --dashboard-bind (GRPO_DASHBOARD_BIND, \"DashboardBind\") is 0.0.0.0, which other machines reach; the dashboard then needs --dashboard-token-file (GRPO_DASHBOARD_TOKEN_FILE, \"DashboardTokenFile\").")]
    [InlineData(new[] { "--dashboard-port", "18080", "--dashboard-bind", "localhost" },
        "grpo-silo: --dashboard-bind (GRPO_DASHBOARD_BIND, \"DashboardBind\") is 'localhost'; expected an IP address such as 127.0.0.1 or 0.0.0.0.")]
    [InlineData(new[] { "--dashboard-bind", "0.0.0.0" },
        "grpo-silo: --dashboard-bind (GRPO_DASHBOARD_BIND, \"DashboardBind\") is set but there is no dashboard; add --dashboard-port (GRPO_DASHBOARD_PORT, \"DashboardPort\").")]
    [InlineData(new[] { "--log-level", "loud" },
        "grpo-silo: --log-level (GRPO_LOG_LEVEL, \"LogLevel\") is 'loud'; expected Trace, Debug, Information, Warning, Error, Critical, None.")]
    public async Task A_setting_that_cannot_be_honoured_stops_the_silo_with_2_and_one_line(string[] arguments, string message)
    {
        await using var silo = SiloProcess.Start(arguments);

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Equal(message, silo.Output.TrimEnd());
    }

    [Fact]
    public async Task A_dashboard_token_file_that_is_missing_or_too_short_is_named()
    {
        using var folder = new ScratchFolder();
        var shortToken = folder.Write("short-token", "abc\n");
        var missing = Path.Combine(folder.Path, "absent-token");

        await using var tooShort = SiloProcess.Start(["--dashboard-port", FreePort.Next().ToString(), "--dashboard-token-file", shortToken]);
        await using var absent = SiloProcess.Start(["--dashboard-port", FreePort.Next().ToString()], new Dictionary<string, string> { ["GRPO_DASHBOARD_TOKEN_FILE"] = missing });

        Assert.Equal(2, await tooShort.WaitForExitAsync(ExitTimeout));
        Assert.Equal(
            $"grpo-silo: --dashboard-token-file (GRPO_DASHBOARD_TOKEN_FILE, \"DashboardTokenFile\"): {shortToken} must hold one token of at least 16 characters without spaces (e.g. from: openssl rand -hex 32).",
            tooShort.Output.TrimEnd());
        Assert.Equal(2, await absent.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith($"grpo-silo: --dashboard-token-file (GRPO_DASHBOARD_TOKEN_FILE, \"DashboardTokenFile\"): cannot read {missing}: ", absent.Output);
    }

    [Fact]
    public async Task TLS_files_that_do_not_fit_a_silo_are_refused_naming_the_option()
    {
        using var cluster = await TestCertificates.MakeAsync("Cluster CA", "client");
        using var other = await TestCertificates.MakeAsync("Other CA", "client");
        var otherSilo = Path.Combine(other.Folder, "silo.pem");
        var clientCertificate = Path.Combine(cluster.Folder, "client.pem");

        await using var otherAuthority = SiloProcess.Start(["--tls-cert", otherSilo, "--tls-key", Path.Combine(other.Folder, "silo.key"), "--tls-ca", cluster.Authority]);
        await using var clientAsSilo = SiloProcess.Start(["--tls-cert", clientCertificate, "--tls-key", Path.Combine(cluster.Folder, "client.key"), "--tls-ca", cluster.Authority]);
        await using var wrongKey = SiloProcess.Start(["--tls-cert", Path.Combine(cluster.Folder, "silo.pem"), "--tls-key", Path.Combine(cluster.Folder, "client.key"), "--tls-ca", cluster.Authority]);

        Assert.Equal(2, await otherAuthority.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith(
            $"grpo-silo: --tls-cert (GRPO_TLS_CERT, \"TlsCert\"): TLS certificate {otherSilo} is not trusted by the authority in {cluster.Authority}: certificate 'CN=silo': ",
            otherAuthority.Output);
        Assert.Equal(2, await clientAsSilo.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith($"grpo-silo: --tls-cert (GRPO_TLS_CERT, \"TlsCert\"): TLS certificate {clientCertificate} is not meant for", clientAsSilo.Output);
        Assert.Equal(2, await wrongKey.WaitForExitAsync(ExitTimeout));
        Assert.StartsWith("grpo-silo: --tls-key (GRPO_TLS_KEY, \"TlsKey\"): ", wrongKey.Output);
    }

    [Fact]
    public async Task GRPO_LOG_LEVEL_raises_the_silos_log_to_debug()
    {
        await using var quiet = SiloProcess.Start([]);
        await using var verbose = SiloProcess.Start([], new Dictionary<string, string> { ["GRPO_LOG_LEVEL"] = "Debug" });

        await quiet.WaitForJoinAsync(TimeSpan.FromSeconds(90));
        await verbose.WaitForJoinAsync(TimeSpan.FromSeconds(90));

        Assert.Contains(" dbug: ", verbose.Output);
        Assert.DoesNotContain(" dbug: ", quiet.Output);
    }
}
