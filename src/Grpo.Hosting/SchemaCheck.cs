using System.Net.Sockets;
using Npgsql;

namespace Grpo.Hosting;

/// <summary>
/// Checks, before a silo or client starts, that the cluster database can be used: the server answers, accepts the
/// credentials, has the database, and the database holds the Orleans schema. Orleans itself would report each of
/// these as a long provider stack trace minutes into start-up; this turns each into one actionable sentence.
/// </summary>
public static class SchemaCheck
{
    private const string CreateSchemaHint = "run deploy/postgres/create-schema.sh";

    /// <summary>Completes when the database is usable; otherwise throws.</summary>
    /// <exception cref="ClusterConfigurationException">One per <see cref="ClusterProblem"/>, naming host, port, database or user.</exception>
    public static async Task EnsureAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var connection = ClusterConnection.Parse(connectionString);
        // A pooled connection would outlive the check and keep the database busy (and undroppable) for nothing.
        var builder = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false };

        await using var database = new NpgsqlConnection(builder.ConnectionString);
        await OpenAsync(database, connection, cancellationToken);

        await using (var hasTable = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", database))
        {
            if (await hasTable.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new ClusterConfigurationException(
                    ClusterProblem.SchemaMissing,
                    $"Database '{connection.Database}' at {connection.Endpoint} has no Orleans schema (no OrleansQuery table): {CreateSchemaHint}.");
            }
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var keys = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", database))
        await using (var reader = await keys.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }

        var missing = OrleansQueryKeys.All.Where(key => !present.Contains(key)).ToArray();
        if (missing.Length > 0)
        {
            throw new ClusterConfigurationException(
                ClusterProblem.SchemaMissing,
                $"Database '{connection.Database}' at {connection.Endpoint} has an incomplete Orleans schema (missing queries {string.Join(", ", missing)}): {CreateSchemaHint}.");
        }
    }

    internal static async Task OpenAsync(NpgsqlConnection database, ClusterConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await database.OpenAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw AuthenticationFailed(connection, e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new ClusterConfigurationException(
                ClusterProblem.DatabaseMissing,
                $"PostgreSQL at {connection.Endpoint} has no database '{connection.Database}': {CreateSchemaHint} to create it with its schema.",
                e);
        }
        catch (NpgsqlException e) when (e is not PostgresException && IsNetworkFailure(e))
        {
            throw new ClusterConfigurationException(
                ClusterProblem.Unreachable,
                $"PostgreSQL at {connection.Endpoint} is unreachable ({Reason(e)}): start the server or correct Host and Port in the cluster connection string.",
                e);
        }
        catch (NpgsqlException e) when (e is not PostgresException && e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql refuses on the client side when the server asks for a password that was not given.
            throw AuthenticationFailed(connection, e);
        }
    }

    private static ClusterConfigurationException AuthenticationFailed(ClusterConnection connection, Exception inner) =>
        new(ClusterProblem.AuthenticationFailed,
            $"PostgreSQL at {connection.Endpoint} refused user '{connection.Username}' (authentication failed): check Username and Password in the cluster connection string.",
            inner);

    private static bool IsNetworkFailure(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or TimeoutException or IOException)
            {
                return true;
            }
        }

        return e.InnerException is null && e.Message.StartsWith("Failed to connect", StringComparison.Ordinal);
    }

    private static string Reason(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost switch
        {
            SocketException socket => socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "timed out",
                _ => socket.Message,
            },
            TimeoutException => "timed out",
            _ => innermost.Message.TrimEnd('.'),
        };
    }
}
