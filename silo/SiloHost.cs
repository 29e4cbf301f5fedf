using System.Net;
using Grpo.Hosting;
using Grpo.Hosting.Dashboards;
using Grpo.Hosting.Tls;
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
    /// <param name="tls">The silo's TLS credentials when <see cref="SiloSettings.Tls"/> is set (see <see cref="SiloTlsSettings.Load"/>).</param>
    public static IHost Build(SiloSettings settings, IConfiguration configuration, ClusterTlsCredentials? tls = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = settings.ToOptions();
        options.Validate();

        // With a dashboard the silo also serves HTTP (ASP.NET Core); without one it stays a plain generic host.
        if (settings.Tls is not null && tls is null)
        {
            throw new ArgumentException("The settings ask for TLS; pass the credentials loaded from them.", nameof(tls));
        }

        return settings.DashboardPort is { } dashboardPort
            ? BuildWithDashboard(settings, configuration, options, dashboardPort, tls)
            : BuildPlain(settings, configuration, options, tls);
    }

    private static IHost BuildPlain(SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options, ClusterTlsCredentials? tls)
    {
        // No default sources: the configuration was already assembled from file, GRPO_ variables and arguments.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "grpo-silo",
            ContentRootPath = AppContext.BaseDirectory,
        });
        Configure(builder, settings, configuration, options, tls, silo => { });
        return builder.Build();
    }

    private static IHost BuildWithDashboard(
        SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options, int dashboardPort, ClusterTlsCredentials? tls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "grpo-silo",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        // The dashboard shows and controls the whole cluster, so it stays on loopback unless --dashboard-bind says otherwise.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The two usual cases on both IPv4 and IPv6, so http://localhost:PORT works whichever the browser tries first.
            if (settings.DashboardBind.Equals(IPAddress.Loopback)) kestrel.ListenLocalhost(dashboardPort);
            else if (settings.DashboardBind.Equals(IPAddress.Any)) kestrel.ListenAnyIP(dashboardPort);
            else kestrel.Listen(settings.DashboardBind, dashboardPort);
        });
        Configure(builder, settings, configuration, options, tls, silo => silo.AddDashboard());
        var app = builder.Build();
        if (settings.DashboardToken is { } token)
        {
            app.Use(new DashboardTokenCheck(token, "grpo-silo dashboard").InvokeAsync);
        }

        app.MapOrleansDashboard();
        return app;
    }

    private static void Configure(
        IHostApplicationBuilder builder, SiloSettings settings, IConfiguration configuration, GrpoSiloOptions options, ClusterTlsCredentials? tls,
        Action<ISiloBuilder> extra)
    {
        builder.Configuration.AddConfiguration(configuration);

        // Standard output carries only grpo-silo's own status lines, so scripts can wait for "joined"; logs go to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        if (settings.LogLevel is { } level)
        {
            builder.Services.PostConfigure<LoggerFilterOptions>(filters => SiloLogLevel.Apply(filters, level));
        }

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

            if (tls is not null)
            {
                silo.UseGrpoTls(tls);
            }

            silo.UseGrpo(options);
            extra(silo);
        });
    }
}
