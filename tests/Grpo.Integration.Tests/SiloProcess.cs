using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Grpo.Integration.Tests;

/// <summary>A real grpo-silo process started from the silo project's build output, with its output collected.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<string> joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? checkpointDirectory;

    private SiloProcess(Process process, string? checkpointDirectory, int siloPort, int gatewayPort)
    {
        this.process = process;
        this.checkpointDirectory = checkpointDirectory;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    /// <summary>The port clients connect to (--gateway-port), for a client that must not depend on the database to find it.</summary>
    public int GatewayPort { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Everything the silo wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>A silo on PostgreSQL with free ports, and its own checkpoint folder unless <paramref name="checkpointDirectory"/> names a shared one.</summary>
    public static SiloProcess StartInCluster(
        string connectionString, string clusterId, string roles, string? checkpointDirectory = null, IEnumerable<string>? moreArguments = null) =>
        Start(["--cluster", connectionString, "--cluster-id", clusterId, "--roles", roles,
            .. checkpointDirectory is null ? Array.Empty<string>() : ["--checkpoint-dir", checkpointDirectory], .. moreArguments ?? []]);

    /// <summary>
    /// grpo-silo with <paramref name="arguments"/> plus free --silo-port/--gateway-port and its own --checkpoint-dir (each unless
    /// given; a given checkpoint folder belongs to the caller and is left in place), and GRPO_ variables from <paramref name="environment"/> only.
    /// </summary>
    public static SiloProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        string? checkpoints = null;
        var start = new ProcessStartInfo(RepositoryLayout.SiloExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A port the caller gives wins (a test may pass a bad one on purpose).
        foreach (var (name, value) in new[] { ("--silo-port", siloPort), ("--gateway-port", gatewayPort) })
        {
            if (!start.ArgumentList.Contains(name))
            {
                start.ArgumentList.Add(name);
                start.ArgumentList.Add(value.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (!start.ArgumentList.Contains("--checkpoint-dir"))
        {
            checkpoints = Path.Combine(Path.GetTempPath(), "grpo-it-silo-" + Guid.NewGuid().ToString("N")[..12]);
            start.ArgumentList.Add("--checkpoint-dir");
            start.ArgumentList.Add(checkpoints);
        }

        // The test's own GRPO_ settings must not reach the silo under test.
        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("GRPO_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var gatewayAt = start.ArgumentList.IndexOf("--gateway-port");
        var silo = new SiloProcess(process, checkpoints, siloPort,
            int.TryParse(start.ArgumentList[gatewayAt + 1], CultureInfo.InvariantCulture, out var actualGateway) ? actualGateway : gatewayPort);
        process.OutputDataReceived += (_, line) => silo.Collect(line.Data, standardOutput: true);
        process.ErrorDataReceived += (_, line) => silo.Collect(line.Data, standardOutput: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>The "joined cluster" line; fails with the silo's output if it exits or times out first.</summary>
    public async Task<string> WaitForJoinAsync(TimeSpan timeout)
    {
        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(joined.Task, exited, Task.Delay(timeout));
        if (finished == joined.Task)
        {
            return await joined.Task;
        }

        var reason = finished == exited ? $"exited with {process.ExitCode} before joining" : $"did not join within {timeout.TotalSeconds} s";
        throw new InvalidOperationException($"grpo-silo on port {SiloPort} {reason}. Output:\n{Output}");
    }

    /// <summary>The exit code; fails with the silo's output if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"grpo-silo on port {SiloPort} was still running after {timeout.TotalSeconds} s. Output:\n{Output}");
        }

        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once, without leaving the cluster.</summary>
    public void Kill() => process.Kill();

    /// <summary>SIGTERM: what a service manager or container runtime sends to stop the silo gracefully.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (checkpointDirectory is not null && Directory.Exists(checkpointDirectory))
        {
            Directory.Delete(checkpointDirectory, recursive: true);
        }
    }

    private void Collect(string? line, bool standardOutput)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (standardOutput && line.StartsWith("grpo-silo: joined cluster ", StringComparison.Ordinal))
        {
            joined.TrySetResult(line);
        }
    }
}
