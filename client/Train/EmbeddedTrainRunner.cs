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
            return await command.RunAsync(arguments, cluster.Client, cancellationToken);
        }
    }
}
