using System.Diagnostics;

namespace Grpo.Integration.Tests;

/// <summary>
/// The samples as a user runs them: the C# reward and the CSV task train a few steps through GrpoTraining, and the
/// reward service sample scores a real run of grpo train through the http reward.
/// </summary>
public sealed class SampleTests
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_custom_reward_sample_trains_with_its_own_rewards_logged()
    {
        var result = await RunDotnetAsync(RepositoryLayout.Sample("CustomReward"), "2");

        Assert.True(result.ExitCode == 0, result.Describe("CustomReward"));
        Assert.Contains("short_answer", result.StandardOutput);
        Assert.Contains("even_answer", result.StandardOutput);
        Assert.Contains(": Completed", result.StandardOutput);
    }

    [Fact]
    public async Task The_custom_task_sample_trains_on_its_csv()
    {
        var result = await RunDotnetAsync(RepositoryLayout.Sample("CustomTask"), "2");

        Assert.True(result.ExitCode == 0, result.Describe("CustomTask"));
        Assert.Contains("step   1", result.StandardOutput);
        Assert.Contains(": Completed", result.StandardOutput);
    }

    [Fact]
    public async Task Grpo_train_scores_a_run_through_the_http_reward_of_the_reward_service_sample()
    {
        var port = FreePort.Next();
        var server = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepositoryLayout.Sample("HttpRewardServer"), "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("the reward service did not start");
        try
        {
            var listening = await WaitForLineAsync(server, "reward service listening", TimeSpan.FromSeconds(60));
            Assert.Contains($"127.0.0.1:{port}", listening);
            var output = Directory.CreateTempSubdirectory("grpo-http-reward-").FullName;

            var train = await GrpoClientProcess.RunAsync(
            [
                "train", "--out", output, "--run-id", "http-reward-run",
                "--set", "steps=2", "--set", "prompts_per_step=8", "--set", "warmup_sft_steps=50", "--set", "eval_every=0",
                "--set", "held_out_size=20", "--set", "task.max_operand=19",
                "--set", $$"""rewards=[{"name": "http", "url": "http://127.0.0.1:{{port}}/score", "timeout_seconds": 30}]""",
            ], cluster: null, timeout: RunTimeout);

            Assert.True(train.ExitCode == 0, train.Describe("grpo train"));
            var metrics = File.ReadAllLines(Path.Combine(output, "metrics.jsonl"));
            Assert.Equal(2, metrics.Length);
            // The service gives 1, 0.1 or 0: any other mean would not have come from it.
            Assert.All(metrics, line => Assert.Contains("\"reward/http\"", line));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }
    }

    static async Task<string> WaitForLineAsync(Process process, string text, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cancellation.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal)) return line;
        }

        throw new InvalidOperationException($"the process ended without printing '{text}': {await process.StandardError.ReadToEndAsync()}");
    }

    static async Task<ScriptResult> RunDotnetAsync(string assembly, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{assembly} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(RunTimeout);
        await process.WaitForExitAsync(cancellation.Token);
        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
