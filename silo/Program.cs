using Grpo.Core.Runtime;
using Grpo.Hosting;
using Grpo.Hosting.Components;
using Grpo.Hosting.Tls;
using Grpo.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

// Exit codes: 0 stopped cleanly, 1 the silo could not start, 2 bad arguments (a plugin folder that cannot be used among them), 3 libtorch cannot load or cannot use
// the requested --device, 4 the cluster database is unreachable, refuses us or lacks the schema.
if (SiloConfiguration.AsksForHelp(args))
{
    Console.WriteLine(SiloConfiguration.Usage());
    return 0;
}

IConfiguration configuration;
SiloSettings settings;
try
{
    configuration = SiloConfiguration.Build(args, Environment.GetEnvironmentVariables(), AppContext.BaseDirectory);
    settings = SiloSettings.From(configuration);
}
catch (SiloArgumentException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 2;
}

try
{
    TorchRuntime.EnsureAvailable();
}
catch (TorchUnavailableException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 3;
}

try
{
    // Every torch engine of this silo computes on this device; refuse it now rather than in the first grain that uses it.
    ComputeDevice.Parse(settings.Device).EnsureAvailable();
}
catch (ComputeDeviceUnavailableException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 3;
}

if (settings.Cluster is { } connectionString)
{
    try
    {
        await SchemaCheck.EnsureAsync(connectionString);
    }
    catch (ClusterConfigurationException e)
    {
        Console.Error.WriteLine("grpo-silo: " + e.Message);
        return 4;
    }
}

ClusterTlsCredentials? tls;
try
{
    tls = settings.Tls is { } tlsFiles ? SiloTlsSettings.Load(tlsFiles) : null;
}
catch (SiloArgumentException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 2;
}

using var tlsLifetime = tls;
IHost host;
try
{
    host = SiloHost.Build(settings, configuration, tls);
}
catch (PluginLoadException e)
{
    Console.Error.WriteLine("grpo-silo: " + e.Message);
    return 2;
}
catch (MetricsEndpointUnavailableException e)
{
    Console.Error.WriteLine($"grpo-silo: {SiloOption.MetricsPort.Display} is {e.Port} and {SiloOption.MetricsBind.Display} is {e.Bind}, but {e.Reason}; pick another port.");
    return 2;
}

using var hostLifetime = host;
try
{
    await host.StartAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine($"grpo-silo: could not join cluster {settings.ClusterId}: {FirstLine(e)}");
    return 1;
}

var address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
Console.WriteLine($"grpo-silo: joined cluster {settings.ClusterId} as {address.ToParsableString()} with roles {settings.RolesText} on {settings.Device}{(tls is null ? "" : " over mutual TLS")}");

// SIGTERM and Ctrl+C stop the host; Orleans' shutdown deactivates this silo's grains so others take them over.
await host.WaitForShutdownAsync();
Console.WriteLine($"grpo-silo: left cluster {settings.ClusterId}");
return 0;

static string FirstLine(Exception e)
{
    var innermost = e;
    while (innermost.InnerException is not null)
    {
        innermost = innermost.InnerException;
    }

    var message = innermost.Message;
    var newline = message.IndexOf('\n', StringComparison.Ordinal);
    return (newline < 0 ? message : message[..newline]).Trim();
}
