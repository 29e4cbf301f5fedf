using System.Globalization;
using System.Net;
using Grpo.Core.Runtime;
using Grpo.Hosting;
using Grpo.Hosting.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Grpo.Silo;

/// <summary>grpo-silo's settings once read and checked; <see cref="Cluster"/> null means localhost clustering.</summary>
public sealed record SiloSettings
{
    public string? Cluster { get; init; }
    public bool Rollout { get; init; } = true;
    public bool Learner { get; init; } = true;
    public string Device { get; init; } = "cpu";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public int PrimaryPort { get; init; } = 11111;
    public string CheckpointDirectory { get; init; } = "checkpoints";
    public IPAddress AdvertisedIp { get; init; } = IPAddress.Loopback;
    public string ClusterId { get; init; } = "grpo";
    public string ServiceId { get; init; } = "grpo";
    public GrpoTelemetryOptions Telemetry { get; init; } = GrpoTelemetryOptions.None;

    /// <summary>Folders of plugin assemblies (see <see cref="GrpoSiloOptions.PluginDirectories"/>).</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [];

    /// <summary>The folder a submitted run's paths must lie in when <see cref="SiloOption.DataRoot"/> is not given.</summary>
    public const string DefaultDataRoot = "data";

    /// <summary>Absolute folders a submitted run may read files from (see <see cref="GrpoSiloOptions.DataRoots"/>).</summary>
    public IReadOnlyList<string> DataRoots { get; init; } = [Path.GetFullPath(DefaultDataRoot)];

    /// <summary>The port of the Orleans dashboard; null serves none.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>Where the dashboard listens: loopback unless asked.</summary>
    public IPAddress DashboardBind { get; init; } = IPAddress.Loopback;

    /// <summary>The token every dashboard request must carry; null lets any request through.</summary>
    public string? DashboardToken { get; init; }

    /// <summary>The files of mutual TLS for silo and gateway connections; null speaks plaintext.</summary>
    public ClusterTlsFiles? Tls { get; init; }

    /// <summary>The default log level asked for with --log-level; null keeps the configured one.</summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary>"rollout,learner", "rollout" or "learner".</summary>
    public string RolesText => string.Join(',', new[] { Rollout ? "rollout" : null, Learner ? "learner" : null }.OfType<string>());

    public GrpoSiloOptions ToOptions() => new()
    {
        Rollout = Rollout,
        Learner = Learner,
        Device = Device,
        SiloPort = SiloPort,
        GatewayPort = GatewayPort,
        ClusterId = ClusterId,
        ServiceId = ServiceId,
        CheckpointDirectory = CheckpointDirectory,
        Telemetry = Telemetry,
        PluginDirectories = PluginDirectories,
        DataRoots = DataRoots,
        Storage = Cluster is null ? GrpoStorage.InMemory : GrpoStorage.Postgres,
    };

    /// <exception cref="SiloArgumentException">The first value that is out of range, naming the option.</exception>
    public static SiloSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var siloPort = Port(configuration, SiloOption.SiloPort, 11111);
        var (rollout, learner) = Roles(configuration);
        var settings = new SiloSettings
        {
            Cluster = Text(configuration, SiloOption.Cluster),
            Rollout = rollout,
            Learner = learner,
            Device = DeviceName(configuration),
            SiloPort = siloPort,
            GatewayPort = Port(configuration, SiloOption.GatewayPort, 30000),
            PrimaryPort = Port(configuration, SiloOption.PrimaryPort, siloPort),
            CheckpointDirectory = Text(configuration, SiloOption.CheckpointDir) ?? "checkpoints",
            PluginDirectories = PluginFolders(configuration),
            DataRoots = DataRootFolders(configuration),
            AdvertisedIp = Address(configuration),
            ClusterId = Text(configuration, SiloOption.ClusterId) ?? "grpo",
            ServiceId = Text(configuration, SiloOption.ServiceId) ?? "grpo",
            Telemetry = SiloTelemetrySettings.From(configuration),
            DashboardPort = Text(configuration, SiloOption.DashboardPort) is null ? null : Port(configuration, SiloOption.DashboardPort, 0),
        };

        var (dashboardBind, dashboardToken) = SiloDashboardSettings.From(configuration, settings.DashboardPort is not null);
        settings = settings with
        {
            DashboardBind = dashboardBind,
            DashboardToken = dashboardToken,
            Tls = SiloTlsSettings.From(configuration, settings.AdvertisedIp),
            LogLevel = SiloLogLevel.From(configuration),
        };

        if (settings.DashboardPort is { } dashboard && (dashboard == settings.SiloPort || dashboard == settings.GatewayPort))
        {
            throw new SiloArgumentException(
                $"{SiloOption.DashboardPort.Display} is {dashboard}, which {SiloOption.SiloPort.Display} or {SiloOption.GatewayPort.Display} already uses; pick another port.");
        }

        if (settings.Telemetry.Exporter == GrpoMetricsExporter.Prometheus)
        {
            var metricsPort = settings.Telemetry.EffectivePrometheusPort;
            if (metricsPort == settings.SiloPort || metricsPort == settings.GatewayPort || metricsPort == settings.DashboardPort)
            {
                throw new SiloArgumentException(
                    $"{SiloOption.MetricsPort.Display} is {metricsPort}, which {SiloOption.SiloPort.Display}, {SiloOption.GatewayPort.Display} or {SiloOption.DashboardPort.Display} already uses; pick another port.");
            }
        }

        if (settings.SiloPort == settings.GatewayPort)
        {
            throw new SiloArgumentException(
                $"{SiloOption.SiloPort.Display} and {SiloOption.GatewayPort.Display} are both {settings.SiloPort}; they must differ.");
        }

        if (settings.Cluster is not null)
        {
            try
            {
                ClusterConnection.Parse(settings.Cluster);
            }
            catch (ClusterConfigurationException e)
            {
                throw new SiloArgumentException($"{SiloOption.Cluster.Display}: {e.Message}", e);
            }
        }

        return settings;
    }

    internal static string? Text(IConfiguration configuration, SiloOption option)
    {
        var value = configuration[option.Key]?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static int Port(IConfiguration configuration, SiloOption option, int fallback)
    {
        var text = Text(configuration, option);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new SiloArgumentException($"{option.Display} is '{text}'; expected a port number in 1..65535.");
        }

        return port;
    }

    private static (bool Rollout, bool Learner) Roles(IConfiguration configuration)
    {
        var text = Text(configuration, SiloOption.Roles);
        if (text is null)
        {
            return (true, true);
        }

        var rollout = false;
        var learner = false;
        foreach (var role in text.Split(',', StringSplitOptions.TrimEntries))
        {
            switch (role.ToLowerInvariant())
            {
                case "rollout":
                    rollout = true;
                    break;
                case "learner":
                    learner = true;
                    break;
                default:
                    throw new SiloArgumentException($"{SiloOption.Roles.Display} has the unknown role '{role}'; roles are rollout and learner.");
            }
        }

        return (rollout, learner);
    }

    private static string[] PluginFolders(IConfiguration configuration)
    {
        var folders = (Text(configuration, SiloOption.Plugins) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                throw new SiloArgumentException($"{SiloOption.Plugins.Display}: folder '{Path.GetFullPath(folder)}' does not exist.");
            }
        }

        return folders;
    }

    /// <summary>Given folders must exist (a misspelt one would refuse every run); the default need not.</summary>
    private static string[] DataRootFolders(IConfiguration configuration)
    {
        var text = Text(configuration, SiloOption.DataRoot);
        if (text is null)
        {
            return [Path.GetFullPath(DefaultDataRoot)];
        }

        var folders = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath).ToArray();
        if (folders.Length == 0)
        {
            throw new SiloArgumentException($"{SiloOption.DataRoot.Display} names no folder; give at least one, e.g. /data,/models.");
        }

        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                throw new SiloArgumentException($"{SiloOption.DataRoot.Display}: folder '{folder}' does not exist.");
            }
        }

        return folders;
    }

    private static string DeviceName(IConfiguration configuration)
    {
        var device = Text(configuration, SiloOption.Device) ?? "cpu";
        if (!ComputeDevice.TryParse(device, out _))
        {
            throw new SiloArgumentException($"{SiloOption.Device.Display} is '{device}'; expected cpu, cuda or cuda:N.");
        }

        return device;
    }

    private static IPAddress Address(IConfiguration configuration)
    {
        var text = Text(configuration, SiloOption.AdvertisedIp);
        if (text is null)
        {
            return IPAddress.Loopback;
        }

        if (!IPAddress.TryParse(text, out var address))
        {
            throw new SiloArgumentException($"{SiloOption.AdvertisedIp.Display} is '{text}'; expected an IP address such as 10.0.0.5.");
        }

        return address;
    }
}
