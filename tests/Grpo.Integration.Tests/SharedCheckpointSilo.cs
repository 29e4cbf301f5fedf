using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Grpo.Integration.Tests;

/// <summary>
/// A real grpo-silo process whose checkpoint directory the test chooses, so that silos started after the whole
/// cluster stopped find the checkpoints their predecessors wrote. The directory belongs to the test, not the silo.
/// </summary>
public sealed class SharedCheckpointSilo : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SharedCheckpointSilo(Process process, string name)
    {
        this.process = process;
        Name = name;
    }

    public string Name { get; }

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

    /// <summary>Starts a silo on free ports and waits until it has joined the cluster.</summary>
    public static async Task<SharedCheckpointSilo> StartAsync(
        string name, string connectionString, string clusterId, string roles, string checkpointDirectory, TimeSpan joinTimeout)
    {
        var start = new ProcessStartInfo(RepositoryLayout.SiloExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[]
        {
            "--cluster", connectionString, "--cluster-id", clusterId, "--roles", roles, "--checkpoint-dir", checkpointDirectory,
            "--silo-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--gateway-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("GRPO_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(variable);
        }

        var silo = new SharedCheckpointSilo(new Process { StartInfo = start }, name);
        silo.process.OutputDataReceived += (_, line) => silo.Collect(line.Data);
        silo.process.ErrorDataReceived += (_, line) => silo.Collect(line.Data);
        silo.process.Start();
        silo.process.BeginOutputReadLine();
        silo.process.BeginErrorReadLine();

        var exited = silo.process.WaitForExitAsync();
        var finished = await Task.WhenAny(silo.joined.Task, exited, Task.Delay(joinTimeout));
        if (finished != silo.joined.Task)
        {
            var reason = finished == exited ? $"exited with {silo.process.ExitCode}" : $"did not join within {joinTimeout.TotalSeconds} s";
            await silo.DisposeAsync();
            throw new InvalidOperationException($"silo {name} {reason}. Output:\n{silo.Output}");
        }

        return silo;
    }

    /// <summary>SIGTERM, as a service manager stops a silo, then waits for the process to end.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("kill did not start."))
        {
            await kill.WaitForExitAsync();
        }

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"silo {Name} was still running {timeout.TotalSeconds} s after SIGTERM. Output:\n{Output}");
        }

        return process.ExitCode;
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

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line.StartsWith("grpo-silo: joined cluster ", StringComparison.Ordinal))
        {
            joined.TrySetResult();
        }
    }
}
