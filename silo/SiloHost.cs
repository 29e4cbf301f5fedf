using System.Net;
using Grpo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Orleans.Dashboard;

namespace Grpo.Silo;

/// <summary>The grpo-silo process's host: one Orleans silo configured by UseGrpo, on PostgreSQL or localhost clustering.</summary>
public static class SiloHost
{
    public static IHost Build(SiloSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = settings.ToOptions();
        options.Validate();

        // With a dashboard the silo also serves HTTP (ASP.NET Core); without one it stays a plain generic host.
        return settings.DashboardPort is { } dashboardPort
            ? BuildWithDashboard(settings, configuration, options, dashboardPort)
            : BuildPlain(settings, configuration, options);
    }

    private static IHost BuildPlain(SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options)
    {
        // No default sources: the configuration was already assembled from file, GRPO_ variables and arguments.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "grpo-silo",
            ContentRootPath = AppContext.BaseDirectory,
        });
        Configure(builder, settings, configuration, options, silo => { });
        return builder.Build();
    }

    private static IHost BuildWithDashboard(SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options, int dashboardPort)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "grpo-silo",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        // The dashboard is reached from other machines whenever the silo is (it listens where the silo advertises itself).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (IPAddress.IsLoopback(settings.AdvertisedIp)) kestrel.ListenLocalhost(dashboardPort);
            else kestrel.ListenAnyIP(dashboardPort);
        });
        Configure(builder, settings, configuration, options, silo => silo.AddDashboard());
        var app = builder.Build();
        app.MapOrleansDashboard();
        return app;
    }

    private static void Configure(
        IHostApplicationBuilder builder, SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options, Action<ISiloBuilder> extra)
    {
        builder.Configuration.AddConfiguration(configuration);

        // Standard output carries only grpo-silo's own status lines, so scripts can wait for "joined"; logs go to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        // One line per entry; warnings carry the cause of their exception, errors the whole exception.
        builder.Logging.AddConsole(console => console.FormatterName = OneLineConsoleFormatter.FormatterName)
            .AddConsoleFormatter<OneLineConsoleFormatter, ConsoleFormatterOptions>(console => console.TimestampFormat = "HH:mm:ss ");
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.UseOrleans(silo =>
        {
            if (settings.Cluster is { } connectionString)
            {
                silo.UseGrpoPostgres(connectionString);
                // Behind a container or NAT the advertised address is not a local one, so listen on all interfaces then.
                silo.ConfigureEndpoints(settings.AdvertisedIp, settings.SiloPort, settings.GatewayPort,
                    listenOnAnyHostAddress: !IPAddress.IsLoopback(settings.AdvertisedIp));
            }
            else
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort,
                    new IPEndPoint(IPAddress.Loopback, settings.PrimaryPort), settings.ServiceId, settings.ClusterId);
            }

            silo.UseGrpo(options);
            extra(silo);
        });
    }
}
