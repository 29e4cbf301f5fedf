using System.CommandLine;
using Grpo.Abstractions.Configuration;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;
using Grpo.Client.Eval;
using Grpo.Client.Export;
using Grpo.Client.Samples;
using Grpo.Client.Train;

namespace Grpo.Client;

/// <summary>The <c>grpo</c> command tree. Arguments are resolved and validated here, before any runner (and so any silo) starts.</summary>
public static class GrpoCommandLine
{
    /// <param name="environment">Reads an environment variable (GRPO_CLUSTER); tests pass their own.</param>
    /// <param name="evalRunner">Runs a validated <c>grpo eval</c>; without it the command is not offered.</param>
    /// <param name="exportRunner">Runs a validated <c>grpo export</c>; without it the command is not offered.</param>
    /// <param name="samplesRunner">Runs a validated <c>grpo samples</c>; without it the command is not offered.</param>
    /// <param name="dashboardRunner">Runs a validated <c>grpo dashboard</c>; without it the command is not offered.</param>
    public static RootCommand Create(
        ITrainRunner trainRunner, ClusterCommands clusterCommands, TimeProvider? time = null, Func<string, string?>? environment = null,
        Func<EvalArguments, CancellationToken, Task<int>>? evalRunner = null, Func<ExportArguments, CancellationToken, Task<int>>? exportRunner = null,
        Func<SamplesArguments, CancellationToken, Task<int>>? samplesRunner = null,
        Func<DashboardArguments, CancellationToken, Task<int>>? dashboardRunner = null)
    {
        ArgumentNullException.ThrowIfNull(trainRunner);
        ArgumentNullException.ThrowIfNull(clusterCommands);
        var clock = time ?? TimeProvider.System;
        var root = new RootCommand("Grpo.Orleans: train language models with GRPO on Orleans.")
        {
            CreateTrain(trainRunner, clock),
        };
        foreach (var command in ClusterCommandLine.Create(clusterCommands, clock, environment ?? Environment.GetEnvironmentVariable))
        {
            root.Subcommands.Add(command);
        }

        if (evalRunner is not null)
        {
            root.Subcommands.Add(EvalCommandLine.Create(evalRunner));
        }

        if (exportRunner is not null)
        {
            root.Subcommands.Add(ExportCommandLine.Create(exportRunner));
        }

        if (samplesRunner is not null)
        {
            root.Subcommands.Add(SamplesCommandLine.Create(samplesRunner, environment ?? Environment.GetEnvironmentVariable));
        }

        if (dashboardRunner is not null)
        {
            root.Subcommands.Add(DashboardCommandLine.Create(dashboardRunner, environment ?? Environment.GetEnvironmentVariable));
        }

        return root;
    }

    private static Command CreateTrain(ITrainRunner runner, TimeProvider clock)
    {
        var config = new Option<string?>("--config")
        {
            Description = "JSON run configuration; keys left out keep their defaults.",
            HelpName = "FILE",
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override one configuration key (repeatable), applied after --config and --seed.",
            HelpName = "key=value",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Folder for config.json, metrics.jsonl, summary.json and chart.png [default: runs/<run-id>].",
            HelpName = "DIR",
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of every random generator of the run (overrides the file's seed).",
            HelpName = "N",
        };
        var runId = new Option<string?>("--run-id")
        {
            Description = "Run id [default: demo-<yyyyMMdd-HHmmss>].",
            HelpName = "ID",
        };

        var plugins = new Option<string[]>("--plugins")
        {
            Description = "Folder of plugin assemblies whose rewards, tasks and losses the in-process silo registers (repeatable).",
            HelpName = "DIR",
            Arity = ArgumentArity.OneOrMore,
        };
        var samples = SamplesOption();
        var dashboard = new Option<bool>("--dashboard")
        {
            Description = "Also serve the live web page of the run on 127.0.0.1 (see grpo dashboard) while it trains.",
        };
        var dashboardPort = DashboardCommandLine.PortOption("--dashboard-port");
        var train = new Command("train", "Train a policy with GRPO on an in-process silo and watch it to the end.")
        {
            config, set, output, seed, runId, samples, plugins, dashboard, dashboardPort,
        };
        train.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new TrainOptions
            {
                ConfigPath = parsed.GetValue(config),
                Overrides = parsed.GetValue(set) ?? [],
                OutputDirectory = parsed.GetValue(output),
                Seed = parsed.GetValue(seed),
                RunId = parsed.GetValue(runId),
            };

            TrainArguments arguments;
            try
            {
                var pluginDirectories = parsed.GetValue(plugins) ?? [];
                arguments = TrainArguments.Resolve(options, clock.GetUtcNow(), EmbeddedComponents.Catalog(pluginDirectories)) with
                {
                    ShowSamples = parsed.GetValue(samples),
                    PluginDirectories = pluginDirectories,
                    Dashboard = parsed.GetValue(dashboard)
                        ? DashboardSettings.Resolve(null, parsed.GetValue(dashboardPort), null, allowControl: false, optionPrefix: "--dashboard-")
                        : null,
                };
            }
            catch (Exception exception) when (exception is RunConfigException or ArgumentException or Grpo.Hosting.Components.PluginLoadException)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await runner.RunAsync(arguments, cancellationToken);
        });
        return train;
    }

    /// <summary><c>--samples</c> of train and watch.</summary>
    internal static Option<bool> SamplesOption() => new("--samples")
    {
        Description = "Show the prompts and completions the run keeps every log_samples_every steps (always written to samples.jsonl).",
    };
}
