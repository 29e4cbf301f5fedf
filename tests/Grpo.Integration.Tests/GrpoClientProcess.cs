using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>Runs the built <c>grpo</c> client as a process to its end and collects its output.</summary>
public static class GrpoClientProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <param name="cluster">Passed through GRPO_CLUSTER, as an operator would set it, so the variable is exercised too; null leaves it unset.</param>
    /// <param name="workingDirectory">Where relative paths (a --config file, runs/) resolve [default: the temp folder].</param>
    /// <param name="environment">More variables for the client (GRPO_LOG_LEVEL, say), set after the test's own GRPO_ ones are removed.</param>
    public static async Task<ScriptResult> RunAsync(
        IEnumerable<string> arguments, string? cluster, TimeSpan? timeout = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var start = new ProcessStartInfo(RepositoryLayout.ClientExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test's own GRPO_ settings must not reach the client under test.
        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("GRPO_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(variable);
        }

        if (cluster is not null)
        {
            start.Environment["GRPO_CLUSTER"] = cluster;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"grpo {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalSeconds} s.\n{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
