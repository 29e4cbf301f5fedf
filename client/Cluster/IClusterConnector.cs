namespace Grpo.Client.Cluster;

/// <summary>Opens a connection to a cluster, so the commands can be run against a fake cluster in tests.</summary>
public interface IClusterConnector
{
    /// <exception cref="Grpo.Hosting.ClusterConfigurationException">The cluster database cannot be used.</exception>
    Task<IRunCluster> ConnectAsync(ClusterTarget target, CancellationToken cancellationToken);
}
