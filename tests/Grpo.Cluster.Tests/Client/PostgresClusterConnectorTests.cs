using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Grpo.Client;
using Grpo.Client.Cluster;
using Grpo.Client.Progress;
using Grpo.Client.Train;
using Grpo.Client.Watch;

namespace Grpo.Cluster.Tests.Client;

/// <summary>The real connector checks the database before Orleans is involved; a refused port needs no PostgreSQL to test.</summary>
public sealed class PostgresClusterConnectorTests
{
    [Fact]
    public async Task A_database_nothing_listens_for_exits_with_4_and_the_schema_checks_one_line_message_once_no_retry_is_left()
    {
        var port = UnusedPort();
        var output = new StringWriter();
        var error = new StringWriter();
        var cluster = new ClusterCommands(
            new PostgresClusterConnector(), new RunWatcher(new PlainProgressView(output), output, error), output, error,
            new ReconnectPolicy(TimeSpan.Zero, TimeSpan.Zero, Retries: 0));
        var root = GrpoCommandLine.Create(new RefusingTrainRunner(), cluster, environment: _ => null);

        var exitCode = await root
            .Parse(["status", "r", "--cluster", $"Host=127.0.0.1;Port={port};Database=grpo;Username=grpo;Password=x"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.ClusterUnavailable, exitCode);
        Assert.StartsWith($"grpo: PostgreSQL at 127.0.0.1:{port} is unreachable", error.ToString());
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
        Assert.Equal("", output.ToString());
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class RefusingTrainRunner : ITrainRunner
    {
        public Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("status must not train");
    }
}
