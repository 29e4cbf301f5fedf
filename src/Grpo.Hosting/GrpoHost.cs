using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grpo.Hosting;

/// <summary>Builds the single-process mode: one silo with localhost clustering inside the client's own process.</summary>
public static class GrpoHost
{
    /// <summary>
    /// A host builder holding one silo configured by <see cref="GrpoSiloBuilderExtensions.UseGrpo"/> on localhost
    /// clustering, for callers that add their own services before building.
    /// </summary>
    /// <param name="components">The host's own components, added as in <see cref="GrpoSiloBuilderExtensions.UseGrpo"/>.</param>
    public static HostApplicationBuilder CreateEmbeddedBuilder(GrpoSiloOptions options, Action<Grpo.Core.Registries.GrpoRegistries>? components = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "Grpo.Orleans",
        });

        // A console UI draws on top of this process, so only warnings and errors may reach the console.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId)
            .UseGrpo(options, components));
        return builder;
    }

    /// <summary>The built (not started) embedded host; its services include IClusterClient and IGrainFactory.</summary>
    public static IHost CreateEmbedded(GrpoSiloOptions options, Action<Grpo.Core.Registries.GrpoRegistries>? components = null) =>
        CreateEmbeddedBuilder(options, components).Build();
}
