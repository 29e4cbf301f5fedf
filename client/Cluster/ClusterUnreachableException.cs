namespace Grpo.Client.Cluster;

/// <summary>The cluster stayed unreachable for every attempt a command was allowed: a problem of the client's connection, not of any run.</summary>
public sealed class ClusterUnreachableException(string message, Exception inner) : Exception(message, inner);
