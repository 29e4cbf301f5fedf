using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>Runs one of the deploy/postgres scripts with bash and collects its output.</summary>
public static class Script
{
    public static async Task<ScriptResult> RunAsync(string name, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryLayout.PostgresScripts, name));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The scripts read the PG* variables as defaults; the test's own environment must not leak into them.
        foreach (var variable in new[] { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "GRPO_CLUSTER", "GRPO_PG_PASSWORD" })
        {
            start.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"bash did not start for {name}.");
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
            throw new TimeoutException($"{name} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.\n{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
