using System.Net;
using Grpo.Hosting;
using Grpo.Integration.Tests.TestGrains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Grpo.Integration.Tests;

/// <summary>UseGrpoPostgres in in-process silos and a client: run state and reminders really go to the PostgreSQL tables.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageTests(PostgresServer server)
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void With_postgres_storage_the_run_storage_and_reminders_are_the_ado_net_ones()
    {
        using var host = BuildSilo(server.ConnectionStringFor("unused"), "resolve-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.IsType<AdoNetGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(GrpoSiloBuilderExtensions.RunStorageName));
        Assert.Equal("AdoNetReminderTable", host.Services.GetRequiredService<IReminderTable>().GetType().Name);
    }

    [Fact]
    public void By_default_the_run_storage_and_reminders_stay_in_memory()
    {
        using var host = GrpoHost.CreateEmbedded(new GrpoSiloOptions { SiloPort = FreePort.Next(), GatewayPort = FreePort.Next() });

        Assert.IsNotType<AdoNetGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(GrpoSiloBuilderExtensions.RunStorageName));
        Assert.Equal("InMemoryReminderTable", host.Services.GetRequiredService<IReminderTable>().GetType().Name);
    }

    [Fact]
    public async Task Grain_state_and_reminders_written_by_one_silo_are_in_postgres_and_read_back_by_the_next()
    {
        var connectionString = await server.CreateDatabaseWithSchemaAsync();
        var clusterId = "storage-" + Guid.NewGuid().ToString("N")[..8];

        using (var first = BuildSilo(connectionString, clusterId))
        {
            await first.StartAsync();
            var counter = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IStoredCounterGrain>("run-1");
            Assert.Equal(1, await counter.Increment());
            Assert.Equal(2, await counter.Increment());
            await counter.RemindEveryMinute("resume");
            await StopAsync(first);
        }

        var stored = await PostgresServer.QueryAsync(connectionString,
            $"SELECT Version, PayloadBinary IS NOT NULL FROM OrleansStorage WHERE ServiceId = '{clusterId}'",
            reader => (Version: reader.GetInt32(0), HasPayload: reader.GetBoolean(1)));
        Assert.Equal([(2, true)], stored);
        var reminders = await PostgresServer.QueryAsync(connectionString,
            $"SELECT ReminderName, Period FROM OrleansRemindersTable WHERE ServiceId = '{clusterId}'",
            reader => (Name: reader.GetString(0), Period: reader.GetInt64(1)));
        Assert.Equal([("resume", (long)TimeSpan.FromMinutes(1).TotalMilliseconds)], reminders);

        using var second = BuildSilo(connectionString, clusterId);
        await second.StartAsync();
        // An external client finds the new silo's gateway through the membership table, as the grpo console will.
        using var client = BuildClient(connectionString, clusterId);
        await client.StartAsync();
        var sameCounter = client.Services.GetRequiredService<IClusterClient>().GetGrain<IStoredCounterGrain>("run-1");
        Assert.Equal(2, await sameCounter.Value());
        Assert.True(await sameCounter.HasReminder("resume"));
        await StopAsync(client);
        await StopAsync(second);
    }

    private static IHost BuildClient(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseGrpoPostgres(connectionString, clusterId, clusterId));
        return builder.Build();
    }

    private static IHost BuildSilo(string connectionString, string clusterId)
    {
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo
            .UseGrpoPostgres(connectionString)
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
            .UseGrpo(new GrpoSiloOptions
            {
                ClusterId = clusterId,
                ServiceId = clusterId,
                SiloPort = siloPort,
                GatewayPort = gatewayPort,
                Storage = GrpoStorage.Postgres,
            }));
        return builder.Build();
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        await host.StopAsync(timeout.Token);
    }
}
