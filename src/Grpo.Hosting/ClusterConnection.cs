using Npgsql;

namespace Grpo.Hosting;

/// <summary>
/// A validated PostgreSQL connection string for the cluster database, such as
/// <c>Host=127.0.0.1;Port=5433;Database=grpo;Username=grpo;Password=...</c>. Any other Npgsql setting
/// (Timeout, SSL Mode, ...) is kept as given.
/// </summary>
public sealed class ClusterConnection
{
    private const string Example = "Host=127.0.0.1;Port=5433;Database=grpo;Username=grpo;Password=...";

    private ClusterConnection(NpgsqlConnectionStringBuilder builder)
    {
        Host = builder.Host!;
        Port = builder.Port;
        Database = builder.Database!;
        Username = builder.Username!;
        ConnectionString = builder.ConnectionString;
    }

    public string Host { get; }
    public int Port { get; }
    public string Database { get; }
    public string Username { get; }

    /// <summary>The full connection string, password included: hand it to Npgsql, never to a log.</summary>
    public string ConnectionString { get; }

    /// <summary>"host:port", for messages.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>Parses and checks <paramref name="connectionString"/>; Port defaults to 5432.</summary>
    /// <exception cref="ClusterConfigurationException">
    /// With <see cref="ClusterProblem.InvalidConnectionString"/> when the text is empty, not a valid Npgsql
    /// connection string, or lacks Host, Database or Username.
    /// </exception>
    public static ClusterConnection Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Invalid($"The cluster connection string is empty; expected something like \"{Example}\".");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's own message names the offending keyword or value.
            throw Invalid($"The cluster connection string is not valid: {e.Message.TrimEnd('.')}; expected something like \"{Example}\".", e);
        }

        Require(builder.Host, "Host");
        Require(builder.Database, "Database");
        Require(builder.Username, "Username");
        if (builder.Port is < 1 or > 65535)
        {
            throw Invalid($"The cluster connection string has Port={builder.Port}; a port must be in 1..65535.");
        }

        return new ClusterConnection(builder);
    }

    /// <summary>The connection without its password, safe for logs and messages.</summary>
    public override string ToString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null };
        return builder.ConnectionString;
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"The cluster connection string has no {field}; expected something like \"{Example}\".");
        }
    }

    private static ClusterConfigurationException Invalid(string message, Exception? inner = null) =>
        new(ClusterProblem.InvalidConnectionString, message, inner);
}
