namespace Grpo.Hosting;

/// <summary>What stops a silo or client from using the cluster database.</summary>
public enum ClusterProblem
{
    /// <summary>The connection string itself is malformed or lacks a field.</summary>
    InvalidConnectionString,

    /// <summary>Nothing answers at the host and port.</summary>
    Unreachable,

    /// <summary>The server refused the user name or password.</summary>
    AuthenticationFailed,

    /// <summary>The server has no database of that name.</summary>
    DatabaseMissing,

    /// <summary>The database exists but lacks the Orleans tables or queries.</summary>
    SchemaMissing,
}
