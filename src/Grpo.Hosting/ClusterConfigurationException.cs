namespace Grpo.Hosting;

/// <summary>
/// The cluster database cannot be used as configured. The message is one sentence an operator can act on
/// (it names the host, port, database or user, and what to run); <see cref="Problem"/> says which case it is.
/// </summary>
public sealed class ClusterConfigurationException(ClusterProblem problem, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ClusterProblem Problem { get; } = problem;
}
