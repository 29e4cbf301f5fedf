namespace Grpo.Client.Cluster;

/// <summary>The cluster a command talks to: its PostgreSQL connection string and Orleans cluster id.</summary>
public sealed record ClusterTarget(string ConnectionString, string ClusterId);
