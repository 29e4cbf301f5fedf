using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>
/// <c>grpo dashboard</c>: serves the page for a cluster until Ctrl+C. The page outlives the cluster: while the cluster
/// is unreachable the page says so and the feeds keep trying to connect again.
/// </summary>
public sealed class DashboardCommand(IClusterConnector connector, TextWriter output, TextWriter error, DashboardTiming? timing = null)
{
    public async Task<int> RunAsync(DashboardArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        // One attempt per call: the feeds do the waiting, so the page can say that the cluster is away meanwhile.
        var session = new ClusterSession(connector, arguments.Target, ReconnectPolicy.None, error);
        await using var source = new SessionDashboardSource(session, arguments.Target.ClusterId);
        DashboardServer server;
        try
        {
            server = await DashboardServer.StartAsync(arguments.Settings, source, cancellationToken, timing);
        }
        catch (IOException exception)
        {
            error.WriteLine($"grpo: the dashboard cannot listen on {arguments.Settings.Bind}:{arguments.Settings.Port}: {exception.Message}");
            return ExitCodes.InvalidArguments;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }

        await using (server)
        {
            output.WriteLine($"grpo: dashboard of cluster '{arguments.Target.ClusterId}' at {server.Address} (Ctrl+C ends it; the runs go on).");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the usual way to close the page's server.
            }
        }

        return ExitCodes.Success;
    }
}
