using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Grpo.Benchmarks;

/// <summary>
/// A real grpo-silo process on localhost clustering, started from the silo project's build output, optionally pinned to
/// one core with <c>taskset -c</c> and then limited to one torch (OpenMP) thread, so one silo computes on exactly one core.
/// Disposing kills it (SIGKILL: the benchmark is over, nothing to hand over).
/// </summary>
internal sealed class SiloProcessHandle : IAsyncDisposable
{
    static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(120);
    readonly Process process;
    readonly Queue<string> tail = new();
    readonly TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    SiloProcessHandle(Process process, string roles, int siloPort, int gatewayPort, int? metricsPort, int? core)
    {
        this.process = process;
        Roles = roles;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        MetricsPort = metricsPort;
        Core = core;
    }

    public string Roles { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }

    /// <summary>The port of its Prometheus endpoint, when it exports metrics.</summary>
    public int? MetricsPort { get; }

    /// <summary>The one core it runs on, or null when the scheduler may use every core.</summary>
    public int? Core { get; }

    public string Describe() => $"{Roles} silo :{SiloPort}{(Core is { } core ? $" on core {core}" : "")}";

    /// <param name="primaryPort">Silo port of the cluster's first silo; null: this one is the first.</param>
    /// <param name="workingFolder">Its working and checkpoint folder.</param>
    public static SiloProcessHandle Start(string roles, string clusterId, int? primaryPort, int? core, bool metrics, string workingFolder)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        int? metricsPort = metrics ? FreePort() : null;
        var silo = SiloExecutable();
        var start = new ProcessStartInfo(core is null ? silo : "taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingFolder,
        };
        if (core is { } pinned)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(pinned.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add(silo);
            // One core, one compute thread: libtorch would otherwise size its pool from the machine, not the mask.
            start.Environment["OMP_NUM_THREADS"] = "1";
            start.Environment["MKL_NUM_THREADS"] = "1";
        }
        string[] arguments =
        [
            "--roles", roles, "--cluster-id", clusterId, "--service-id", clusterId,
            "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--primary-port", Text(primaryPort ?? siloPort),
            "--checkpoint-dir", Path.Combine(workingFolder, "checkpoints"),
            .. metricsPort is { } port ? new[] { "--metrics", "prometheus", "--metrics-port", Text(port) } : [],
        ];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The benchmark's own GRPO_ settings must not reach the silos it measures.
        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("GRPO_", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(variable);

        var process = new Process { StartInfo = start };
        var handle = new SiloProcessHandle(process, roles, siloPort, gatewayPort, metricsPort, core);
        process.OutputDataReceived += (_, line) => handle.Collect(line.Data);
        process.ErrorDataReceived += (_, line) => handle.Collect(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    /// <summary>Waits for its "joined cluster" line; fails with its last output if it exits or times out first.</summary>
    public async Task WaitForJoinAsync()
    {
        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(joined.Task, exited, Task.Delay(JoinTimeout));
        if (finished == joined.Task) return;
        var reason = finished == exited ? $"exited with {process.ExitCode} before joining" : $"did not join within {JoinTimeout.TotalSeconds} s";
        throw new InvalidOperationException($"grpo-silo ({Describe()}) {reason}. Last output:\n{Output}");
    }

    /// <summary>Its last lines of output, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (tail) return string.Join(Environment.NewLine, tail);
        }
    }

    public bool HasExited => process.HasExited;

    void Collect(string? line)
    {
        if (line is null) return;
        lock (tail)
        {
            tail.Enqueue(line);
            while (tail.Count > 40) tail.Dequeue();
        }
        if (line.StartsWith("grpo-silo: joined cluster ", StringComparison.Ordinal)) joined.TrySetResult();
    }

    /// <summary>tests/Grpo.Benchmarks/bin/&lt;Configuration&gt;/&lt;tfm&gt; → silo/bin/&lt;Configuration&gt;/&lt;tfm&gt;/grpo-silo of the same build.</summary>
    static string SiloExecutable()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output.Parent?.Parent?.Parent?.Parent?.Parent
            ?? throw new InvalidOperationException($"{output.FullName} is not inside tests/Grpo.Benchmarks/bin/<configuration>/<framework> of the repository.");
        var path = Path.Combine(root.FullName, "silo", "bin", output.Parent!.Name, output.Name, "grpo-silo");
        return File.Exists(path) ? path : throw new FileNotFoundException($"grpo-silo is not built at {path}; build the solution ({output.Parent.Name}) first.", path);
    }

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
