using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>Runs the built <c>grpo</c> client against a cluster (given through GRPO_CLUSTER) and collects its output.</summary>
public static class GrpoClientProcess
{
    public static string Executable
    {
        get
        {
            // The solution build puts the client beside the silo; this project cannot reference it without a csproj change.
            var path = Path.Combine(RepositoryLayout.Root, "client", "bin", RepositoryLayout.Configuration, "net10.0", "grpo");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"grpo is not built at {path}; build the client project ({RepositoryLayout.Configuration}) first.", path);
        }
    }

    public static async Task<ScriptResult> RunAsync(IEnumerable<string> arguments, string cluster, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Executable)
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

        start.Environment["GRPO_CLUSTER"] = cluster;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"grpo {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s.\n{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
