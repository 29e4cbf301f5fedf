namespace Grpo.Integration.Tests;

public sealed record ScriptResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe(string command) =>
        $"{command} exited with {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
