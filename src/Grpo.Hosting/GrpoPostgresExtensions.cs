using Grpo.Grains.Ledger;
using Grpo.Hosting.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grpo.Hosting;

/// <summary>
/// The cluster mode: PostgreSQL holds membership, run state (grain storage "grpo-runs") and reminders, through
/// Orleans' ADO.NET providers. The database needs the schema from deploy/postgres/create-schema.sh; run
/// <see cref="SchemaCheck.EnsureAsync"/> before starting to turn a missing one into a clear message.
/// </summary>
public static class GrpoPostgresExtensions
{
    /// <summary>The ADO.NET invariant Orleans maps to Npgsql's provider factory.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// ADO.NET clustering, grain storage <see cref="GrpoSiloBuilderExtensions.RunStorageName"/>, reminders and the sample ledger's writer on
    /// <paramref name="connectionString"/>. Pair with <see cref="GrpoSiloBuilderExtensions.UseGrpo"/> given
    /// <c>Storage = GrpoStorage.Postgres</c>, so no in-memory storage or reminder service is registered beside these.
    /// Endpoints (ConfigureEndpoints) are left to the caller.
    /// </summary>
    /// <exception cref="ClusterConfigurationException">The connection string is malformed or incomplete.</exception>
    public static ISiloBuilder UseGrpoPostgres(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connection = ClusterConnection.Parse(connectionString).ConnectionString;

        builder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connection;
        });
        builder.AddAdoNetGrainStorage(GrpoSiloBuilderExtensions.RunStorageName, optionsBuilder => optionsBuilder
            .Configure<Serializer>((options, serializer) =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connection;
                // Run state is made of [GenerateSerializer] contracts whose [Id]s make Orleans' own format version
                // tolerant; the default JSON serializer would need every contract to round-trip through Newtonsoft.
                options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        builder.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connection;
        });
        // The sample ledger (sample_ledger) writes to the same database; without this a silo refuses such a run.
        builder.Services.AddSingleton<ISampleLedgerSink>(new PostgresSampleLedgerSink(connection));
        return builder;
    }

    /// <summary>A client that finds the cluster's gateways through the PostgreSQL membership table.</summary>
    /// <exception cref="ClusterConfigurationException">The connection string is malformed or incomplete.</exception>
    public static IClientBuilder UseGrpoPostgres(this IClientBuilder builder, string connectionString, string clusterId = "grpo", string serviceId = "grpo")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        var connection = ClusterConnection.Parse(connectionString).ConnectionString;

        builder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connection;
        });
        builder.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = clusterId;
            cluster.ServiceId = serviceId;
        });
        return builder;
    }
}
