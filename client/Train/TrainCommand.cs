using Grpo.Abstractions.Grains;
using Grpo.Client.Progress;
using Grpo.Client.Watch;

namespace Grpo.Client.Train;

/// <summary>
/// Starts a run on any cluster and watches it to the end with a <see cref="RunWatcher"/>; on cancellation (Ctrl+C)
/// it stops the run and still writes every output.
/// </summary>
public sealed class TrainCommand(RunWatcher watcher)
{
    public TrainCommand(IProgressView progress, TextWriter output, TextWriter error, TrainSettings? settings = null)
        : this(new RunWatcher(progress, output, error, settings))
    {
    }

    public Task<int> RunAsync(TrainArguments arguments, IClusterClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(client);
        IRunGrain run;
        try
        {
            run = client.GetGrain<IRunGrain>(arguments.RunId);
        }
        catch (ArgumentException exception)
        {
            // Orleans refuses a grain interface that no loaded assembly implements.
            watcher.Error.WriteLine($"grpo: this cluster cannot host runs: {exception.Message}");
            return Task.FromResult(ExitCodes.RunFailed);
        }

        return RunAsync(arguments, run, cancellationToken);
    }

    public Task<int> RunAsync(TrainArguments arguments, IRunGrain run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return watcher.WatchAsync(new WatchTarget(arguments.RunId, arguments.OutputDirectory, arguments.Config, arguments.ShowSamples), run, cancellationToken);
    }
}
