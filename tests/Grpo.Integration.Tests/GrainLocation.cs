using System.Net;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grpo.Integration.Tests;

/// <summary>
/// Asks a running cluster, through an Orleans client of the test's own, which silos host a grain. A scenario that must
/// kill "the silo holding the learner" cannot assume where placement put it, nor that it never moved.
/// </summary>
public static class GrainLocation
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <param name="askPorts">
    /// The silos to ask. A silo killed a moment ago stays in the membership list until it is declared dead (10-30 s), and a
    /// question to every listed silo fails until then; asking only the live ones does not wait for that.
    /// </param>
    /// <returns>The silo ports of the activations whose grain class name contains <paramref name="grainClassName"/> and whose key is <paramref name="key"/>.</returns>
    public static async Task<int[]> SiloPortsHostingAsync(
        string connectionString, string clusterId, string grainClassName, string key, IReadOnlyCollection<int> askPorts)
    {
        var hosts = (await MembershipRow.ReadAsync(connectionString, clusterId))
            .Where(row => row.Status == MembershipRow.Active && askPorts.Contains(row.Port))
            .Select(row => SiloAddress.New(new IPEndPoint(IPAddress.Parse(row.Address), row.Port), row.Generation))
            .ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client.UseGrpoPostgres(connectionString, clusterId));
        using var host = builder.Build();
        using (var timeout = new CancellationTokenSource(ConnectTimeout))
        {
            await host.StartAsync(timeout.Token);
        }

        try
        {
            var statistics = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: hosts);
            return statistics
                .Where(statistic => statistic.GrainType.Contains(grainClassName, StringComparison.Ordinal) && statistic.GrainId.Key.ToString() == key)
                .Select(statistic => statistic.SiloAddress.Endpoint.Port)
                .Distinct()
                .ToArray();
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }
    }
}
