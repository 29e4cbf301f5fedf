namespace Grpo.Client.Train;

/// <summary>Runs a validated <c>grpo train</c>: finds or starts a cluster and watches the run to its end.</summary>
public interface ITrainRunner
{
    /// <returns>The process exit code (see <see cref="ExitCodes"/>).</returns>
    Task<int> RunAsync(TrainArguments arguments, CancellationToken cancellationToken);
}
