using Grpo.Client.Dashboard;
using Grpo.Core.Runtime;

namespace Grpo.Client.Train;

/// <summary>
/// <c>grpo train</c> on one machine: checks that libtorch loads, starts an in-process silo, runs
/// <see cref="TrainCommand"/> against it and shuts the silo down.
/// </summary>
public sealed class EmbeddedTrainRunner(TrainCommand command, TextWriter error, Action? ensureTorchAvailable = null) : ITrainRunner
{
    public const string SiloLogFileName = "silo.log";

    private readonly Action ensureTorchAvailable = ensureTorchAvailable ?? TorchRuntime.EnsureAvailable;

    public async Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        try
        {
            ensureTorchAvailable();
        }
        catch (TorchUnavailableException exception)
        {
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.TorchUnavailable;
        }

        EmbeddedCluster cluster;
        try
        {
            cluster = await EmbeddedCluster.StartAsync(
                Path.Combine(arguments.OutputDirectory, "checkpoints"),
                Path.Combine(arguments.OutputDirectory, SiloLogFileName),
                cancellationToken,
                arguments.PluginDirectories);
        }
        catch (Grpo.Hosting.Components.PluginLoadException exception)
        {
            error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.InvalidArguments;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }

        await using (cluster)
        {
            if (arguments.Dashboard is not { } dashboard)
            {
                return await command.RunAsync(arguments, cluster.Client, cancellationToken);
            }

            DashboardServer server;
            try
            {
                server = await DashboardServer.StartAsync(dashboard, new ClientDashboardSource(cluster.Client, "in-process"), cancellationToken);
            }
            catch (IOException exception)
            {
                error.WriteLine($"grpo: the dashboard cannot listen on {dashboard.Bind}:{dashboard.Port}: {exception.Message} (choose another --dashboard-port).");
                return ExitCodes.InvalidArguments;
            }

            await using (server)
            {
                error.WriteLine($"grpo: dashboard at {server.Address}runs/{Uri.EscapeDataString(arguments.RunId)}");
                return await command.RunAsync(arguments, cluster.Client, cancellationToken);
            }
        }
    }
}
