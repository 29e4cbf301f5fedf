using Grpo.Configuration;
using System.CommandLine;
using Grpo.Abstractions.Configuration;
using Grpo.Client.Train;
using Grpo.Client.Watch;

namespace Grpo.Client.Cluster;

/// <summary>The cluster commands of <c>grpo</c>: submit, watch, status, list, stop and resume. Arguments are checked before any connection.</summary>
public static class ClusterCommandLine
{
    public const string ClusterVariable = "GRPO_CLUSTER";

    public static IEnumerable<Command> Create(ClusterCommands commands, TimeProvider clock, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(commands);
        yield return ClientTls.WithOptions(CreateSubmit(commands, clock, environment));
        yield return ClientTls.WithOptions(CreateWatch(commands, environment));
        yield return ClientTls.WithOptions(CreateStatus(commands, environment));
        yield return ClientTls.WithOptions(CreateList(commands, environment));
        yield return ClientTls.WithOptions(CreateRunCommand("stop", "Ask a run to stop and print its state.", commands.StopAsync, environment));
        yield return ClientTls.WithOptions(CreateRunCommand(
            "resume",
            "Continue a stopped, interrupted or infrastructure-failed run from its learner's last checkpoint (or live state).",
            commands.ResumeAsync,
            environment));
    }

    private static Command CreateList(ClusterCommands commands, Func<string, string?> environment)
    {
        var (clusterOption, clusterId) = ClusterOptions();
        var json = new Option<bool>("--json") { Description = "Print the runs as a JSON array instead of a table." };
        var list = new Command("list", "List the cluster's runs: id, state, step, policy version, last checkpoint, start time.")
        {
            clusterOption, clusterId, json,
        };
        list.SetAction((parsed, cancellationToken) => WithTarget(parsed, clusterOption, clusterId, environment,
            target => commands.ListAsync(target, parsed.GetValue(json), cancellationToken)));
        return list;
    }

    private static Command CreateSubmit(ClusterCommands commands, TimeProvider clock, Func<string, string?> environment)
    {
        var (clusterOption, clusterId) = ClusterOptions();
        var config = new Option<string?>("--config") { Description = "JSON run configuration; keys left out keep their defaults.", HelpName = "FILE" };
        var set = new Option<string[]>("--set")
        {
            Description = "Override one configuration key (repeatable), applied after --config and --seed.",
            HelpName = "key=value",
            Arity = ArgumentArity.OneOrMore,
        };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random generator of the run (overrides the file's seed).", HelpName = "N" };
        var runId = new Option<string?>("--run-id") { Description = "Run id [default: demo-<yyyyMMdd-HHmmss>].", HelpName = "ID" };

        var submit = new Command("submit", "Start a run on the cluster, print its id and return; the run goes on without the client.")
        {
            clusterOption, clusterId, config, set, seed, runId,
        };
        submit.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new TrainOptions
            {
                ConfigPath = parsed.GetValue(config),
                Overrides = parsed.GetValue(set) ?? [],
                Seed = parsed.GetValue(seed),
                RunId = parsed.GetValue(runId),
            };
            TrainArguments arguments;
            ClusterTarget target;
            try
            {
                // The cluster's silos, with whatever plugins they load, judge the component names at submission.
                arguments = TrainArguments.Resolve(options, clock.GetUtcNow(), ComponentCatalog.Empty);
                target = ResolveTarget(parsed, clusterOption, clusterId, environment);
            }
            catch (Exception exception) when (exception is RunConfigException or ArgumentException)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            return await commands.SubmitAsync(target, arguments, cancellationToken);
        });
        return submit;
    }

    private static Command CreateWatch(ClusterCommands commands, Func<string, string?> environment)
    {
        var (clusterOption, clusterId) = ClusterOptions();
        var runId = RunIdArgument();
        var output = new Option<string?>("--out")
        {
            Description = "Folder for metrics.jsonl, summary.json and chart.png [default: runs/<ID>].",
            HelpName = "DIR",
        };
        var samples = GrpoCommandLine.SamplesOption();
        var watch = new Command("watch", "Follow a run on the cluster to its end and write its outputs; Ctrl+C stops watching, not the run.")
        {
            runId, clusterOption, clusterId, output, samples,
        };
        watch.SetAction(async (parsed, cancellationToken) =>
        {
            var id = parsed.GetRequiredValue(runId);
            ClusterTarget target;
            try
            {
                TrainArguments.ValidateRunId(id);
                target = ResolveTarget(parsed, clusterOption, clusterId, environment);
            }
            catch (ArgumentException exception)
            {
                parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
                return ExitCodes.InvalidArguments;
            }

            var folder = Path.GetFullPath(parsed.GetValue(output) ?? Path.Combine("runs", id));
            return await commands.WatchAsync(target, new WatchTarget(id, folder, ShowSamples: parsed.GetValue(samples)), cancellationToken);
        });
        return watch;
    }

    private static Command CreateStatus(ClusterCommands commands, Func<string, string?> environment)
    {
        var json = new Option<bool>("--json") { Description = "Print the status and every recorded step's metrics as JSON." };
        var status = CreateRunCommand("status", "Print one run's state, step, policy version and accuracy.",
            (target, runId, parsed, cancellationToken) => commands.StatusAsync(target, runId, cancellationToken, parsed.GetValue(json)), environment);
        status.Options.Add(json);
        return status;
    }

    private static Command CreateRunCommand(
        string name, string description, Func<ClusterTarget, string, CancellationToken, Task<int>> act, Func<string, string?> environment) =>
        CreateRunCommand(name, description, (target, runId, _, cancellationToken) => act(target, runId, cancellationToken), environment);

    private static Command CreateRunCommand(
        string name, string description, Func<ClusterTarget, string, ParseResult, CancellationToken, Task<int>> act, Func<string, string?> environment)
    {
        var (clusterOption, clusterId) = ClusterOptions();
        var runId = RunIdArgument();
        var command = new Command(name, description) { runId, clusterOption, clusterId };
        command.SetAction((parsed, cancellationToken) => WithTarget(parsed, clusterOption, clusterId, environment,
            target => act(target, parsed.GetRequiredValue(runId), parsed, cancellationToken)));
        return command;
    }

    private static Argument<string> RunIdArgument() => new("ID") { Description = "The run's id, as printed by grpo submit." };

    internal static (Option<string?> Cluster, Option<string> ClusterId) ClusterOptions() => (
        new Option<string?>("--cluster")
        {
            Description = $"PostgreSQL connection string of the cluster database [default: ${ClusterVariable}].",
            HelpName = "CONNECTION",
        },
        new Option<string>("--cluster-id")
        {
            Description = "Orleans cluster id the silos were started with.",
            HelpName = "ID",
            DefaultValueFactory = _ => "grpo",
        });

    /// <summary>Runs <paramref name="act"/> against the command's cluster, or prints why none was given and exits 2.</summary>
    private static async Task<int> WithTarget(
        ParseResult parsed, Option<string?> clusterOption, Option<string> clusterIdOption, Func<string, string?> environment,
        Func<ClusterTarget, Task<int>> act)
    {
        ClusterTarget target;
        try
        {
            target = ResolveTarget(parsed, clusterOption, clusterIdOption, environment);
        }
        catch (ArgumentException exception)
        {
            parsed.InvocationConfiguration.Error.WriteLine("grpo: " + exception.Message);
            return ExitCodes.InvalidArguments;
        }

        return await act(target);
    }

    internal static ClusterTarget ResolveTarget(
        ParseResult parsed, Option<string?> clusterOption, Option<string> clusterIdOption, Func<string, string?> environment)
    {
        var connection = parsed.GetValue(clusterOption) ?? environment(ClusterVariable);
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ArgumentException(
                $"no cluster given: pass --cluster \"Host=...;Database=...;Username=...;Password=...\" or set {ClusterVariable}.");
        }

        var clusterId = parsed.GetValue(clusterIdOption);
        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw new ArgumentException("--cluster-id is empty; give the cluster id the silos use (default grpo).");
        }

        return new ClusterTarget(connection, clusterId) { Tls = ClientTls.Resolve(parsed, environment) };
    }
}
