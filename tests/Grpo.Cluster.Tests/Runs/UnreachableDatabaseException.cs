using System.Data.Common;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>What a database driver throws when the server cannot be reached (Npgsql's NpgsqlException is a DbException too).</summary>
public sealed class UnreachableDatabaseException(string message) : DbException(message);
