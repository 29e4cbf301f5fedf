using System.CommandLine;
using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>The <c>grpo dashboard</c> command and the <c>--dashboard</c> options of <c>grpo train</c>.</summary>
public static class DashboardCommandLine
{
    public static Command Create(Func<DashboardArguments, CancellationToken, Task<int>> runner, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var (clusterOption, clusterId) = ClusterCommandLine.ClusterOptions();
        var bind = new Option<string?>("--bind")
        {
            Description = "Address the page listens on [default: 127.0.0.1]; one other machines reach needs --token-file.",
            HelpName = "IP",
        };
        var port = PortOption("--port");
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "File holding the token the page asks for (Basic password, or Authorization: Bearer TOKEN).",
            HelpName = "FILE",
        };
        var allowControl = new Option<bool>("--allow-control") { Description = "Show stop and resume buttons on the page." };
        var command = new Command("dashboard", "Serve a live web page of the cluster's runs, their curves and samples, and its silos; Ctrl+C ends it.")
        {
            clusterOption, clusterId, bind, port, tokenFile, allowControl,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            DashboardArguments arguments;
            try
            {
                var target = ClusterCommandLine.ResolveTarget(parsed, clusterOption, clusterId, environment);
                var settings = DashboardSettings.Resolve(parsed.GetValue(bind), parsed.GetValue(port), parsed.GetValue(tokenFile), parsed.GetValue(allowControl));
                arguments = new DashboardArguments(target, settings);
            }
            catch (ArgumentException exception)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await runner(arguments, cancellationToken);
        });
        return ClientTls.WithOptions(command);
    }

    /// <summary>The port option of the dashboard (<c>--port</c>, or <c>--dashboard-port</c> on train).</summary>
    internal static Option<int> PortOption(string name) => new(name)
    {
        Description = $"Port of the page [default: {DashboardSettings.DefaultPort}; 0 takes a free one].",
        HelpName = "PORT",
        DefaultValueFactory = _ => DashboardSettings.DefaultPort,
    };
}
