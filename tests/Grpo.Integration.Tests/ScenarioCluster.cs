using System.Globalization;
using System.Text.Json;

namespace Grpo.Integration.Tests;

/// <summary>
/// A cluster of real grpo-silo processes on one fresh PostgreSQL database, with a checkpoint folder every learner
/// silo shares, driven through the built grpo client. Disposing kills what is left and deletes the folder.
/// </summary>
public sealed class ScenarioCluster : IAsyncDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private readonly List<SiloProcess> silos = [];

    private ScenarioCluster(string connectionString)
    {
        ConnectionString = connectionString;
        Directory.CreateDirectory(Folder);
        Directory.CreateDirectory(CheckpointDirectory);
    }

    public string ConnectionString { get; }
    public string ClusterId { get; } = "it-" + Guid.NewGuid().ToString("N")[..12];
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "grpo-it-scenario-" + Guid.NewGuid().ToString("N")[..12]);
    public string CheckpointDirectory => Path.Combine(Folder, "checkpoints");
    public IReadOnlyList<SiloProcess> Silos => silos;

    /// <summary>Starts one silo per entry of <paramref name="roles"/> (e.g. "rollout,learner") and waits until all have joined.</summary>
    public static async Task<ScenarioCluster> StartAsync(PostgresServer server, params string[] roles)
    {
        var cluster = new ScenarioCluster(await server.CreateDatabaseWithSchemaAsync());
        try
        {
            var started = roles.Select(role => cluster.Launch(role)).ToArray();
            foreach (var silo in started)
            {
                await cluster.WaitForJoinAsync(silo);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>One more silo, joined before this returns.</summary>
    public async Task<SiloProcess> AddSiloAsync(string roles, params string[] moreArguments)
    {
        var silo = Launch(roles, moreArguments);
        await WaitForJoinAsync(silo);
        return silo;
    }

    /// <summary>Starts one more silo without waiting for it (see <see cref="WaitForJoinAsync"/>).</summary>
    public SiloProcess Launch(string roles, params string[] moreArguments)
    {
        var silo = SiloProcess.StartInCluster(ConnectionString, ClusterId, roles, CheckpointDirectory, moreArguments);
        silos.Add(silo);
        return silo;
    }

    public Task<string> WaitForJoinAsync(SiloProcess silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.WaitForJoinAsync(JoinTimeout);
    }

    /// <summary>Given to every client command after its own arguments (the TLS files of a cluster with mutual TLS, say).</summary>
    public IReadOnlyList<string> ClientArguments { get; set; } = [];

    /// <summary>The grpo client with <c>--cluster-id</c> of this cluster and the connection string in GRPO_CLUSTER.</summary>
    public Task<ScriptResult> ClientAsync(params string[] arguments) =>
        GrpoClientProcess.RunAsync([.. arguments, "--cluster-id", ClusterId, .. ClientArguments], ConnectionString, workingDirectory: Folder);

    /// <summary>Writes a run configuration file into the scenario folder and returns its path.</summary>
    public string WriteConfig(string name, string json)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary><c>grpo status ID --json</c>; null (with the reason in <paramref name="failure"/>) while the cluster cannot answer.</summary>
    public async Task<(ReportedRun? Run, string Failure)> TryStatusAsync(string runId)
    {
        var result = await ClientAsync("status", runId, "--json");
        if (result.ExitCode != 0)
        {
            return (null, result.Describe("grpo status --json"));
        }

        try
        {
            return (ReportedRun.Parse(result.StandardOutput), "");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"grpo status --json printed something else than a status report: {exception.Message}\n{result.StandardOutput}", exception);
        }
    }

    /// <summary>
    /// Polls the run through the client until <paramref name="condition"/> holds. A status call that fails is retried: while a
    /// killed silo is not yet declared dead, calls routed to it fail. A run that ends before the condition fails the wait.
    /// </summary>
    public async Task<ReportedRun> WaitUntilAsync(string runId, Func<ReportedRun, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            var (run, failure) = await TryStatusAsync(runId);
            if (run is not null)
            {
                if (condition(run))
                {
                    return run;
                }

                if (run.Status.IsFinished)
                {
                    throw new InvalidOperationException($"run {runId} ended {run.Status.State} ({run.Status.Error}) before the awaited condition.\n{Logs()}");
                }

                last = $"at step {run.Status.Step}/{run.Status.TotalSteps}, {run.Status.State} ({run.Status.Phase})";
            }
            else
            {
                last = failure;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"run {runId} did not reach the awaited condition within {timeout.TotalSeconds} s; last: {last}\n{Logs()}");
    }

    /// <summary>Every silo's output, for failure messages.</summary>
    public string Logs() => string.Join('\n', silos.Select(silo =>
        $"--- silo on port {silo.SiloPort.ToString(CultureInfo.InvariantCulture)}{(silo.HasExited ? " (exited)" : "")} ---\n{silo.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }

        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
