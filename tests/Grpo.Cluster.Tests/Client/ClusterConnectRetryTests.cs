using System.Net;
using System.Net.Sockets;
using Grpo.Client.Cluster;
using Grpo.Hosting;

namespace Grpo.Cluster.Tests.Client;

/// <summary>An unreachable cluster database is tried again, each retry reported on the command's error output.</summary>
public sealed class ClusterConnectRetryTests
{
    [Fact]
    public async Task An_unreachable_database_is_retried_with_each_retry_reported_and_then_fails_with_the_one_line_message()
    {
        var port = UnusedPort();
        var error = new StringWriter();
        var connector = new PostgresClusterConnector(logger: new ErrorWriterLogger(error));

        var failure = await Assert.ThrowsAsync<ClusterConfigurationException>(() => connector.ConnectAsync(
            new ClusterTarget($"Host=127.0.0.1;Port={port};Database=grpo;Username=grpo;Password=x", "grpo"), CancellationToken.None));

        Assert.Equal(ClusterProblem.Unreachable, failure.Problem);
        var lines = error.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(Grpo.Grains.Resilience.GrpoResilience.ConnectAttempts - 1, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.StartsWith("grpo: Cluster connection call failed (attempt ", line);
            Assert.Contains($"127.0.0.1:{port} is unreachable", line);
        });
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
