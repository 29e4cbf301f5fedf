using Grpo.Hosting.Tls;

namespace Grpo.Client.Cluster;

/// <summary>The cluster a command talks to: its PostgreSQL connection string and Orleans cluster id.</summary>
public sealed record ClusterTarget(string ConnectionString, string ClusterId)
{
    /// <summary>The client's mutual TLS files; null connects in plaintext.</summary>
    public ClusterTlsFiles? Tls { get; init; }
}
