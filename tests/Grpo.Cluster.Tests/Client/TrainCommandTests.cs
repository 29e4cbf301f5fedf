using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Client;
using Grpo.Client.Progress;
using Grpo.Client.Train;

namespace Grpo.Cluster.Tests.Client;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private readonly TrainArguments arguments;

    public TrainCommandTests()
    {
        arguments = new TrainArguments("demo-t", new RunConfig { Seed = 3, Steps = 6 }, Path.Combine(folder.Path, "out"));
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_completed_run_writes_every_output_and_exits_with_0()
    {
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6);

        var exitCode = await Command().RunAsync(arguments, run, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Same(arguments.Config, run.StartedWith);
        Assert.Equal(arguments.Config, RunConfigLoader.Load(Path.Combine(arguments.OutputDirectory, "config.json")));

        var lines = File.ReadAllLines(Path.Combine(arguments.OutputDirectory, "metrics.jsonl"));
        Assert.Equal([1L, 2, 3, 4, 5, 6], lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64()));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(arguments.OutputDirectory, "summary.json")));
        Assert.Equal("Completed", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(0.1, summary.RootElement.GetProperty("baselineAccuracy").GetDouble());
        Assert.Equal(0.8, summary.RootElement.GetProperty("finalAccuracy").GetDouble());
        Assert.Equal(6, summary.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(6, summary.RootElement.GetProperty("policyVersion").GetInt64());
        Assert.True(new FileInfo(Path.Combine(arguments.OutputDirectory, "chart.png")).Length > 1000);

        // Each poll asks only for the steps after the last one it has; the run finished, every step is read once more.
        var polls = run.MetricRequests[..^1];
        Assert.Equal(0, polls[0]);
        Assert.True(polls.SequenceEqual(polls.Order()));
        Assert.Equal(0, run.MetricRequests[^1]);

        var text = output.ToString();
        Assert.Contains("step 6/6  reward 0.600", text);
        Assert.Contains("run demo-t: Completed", text);
        Assert.Contains("baseline accuracy  0.100", text);
        Assert.Contains("final accuracy     0.800", text);
        Assert.Contains(Path.Combine(arguments.OutputDirectory, "chart.png"), text);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task Cancelling_stops_the_run_once_and_still_writes_the_outputs()
    {
        using var cancel = new CancellationTokenSource();
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6)
        {
            StallAfterStep = 2,
            OnStatusPoll = polls => { if (polls == 3) { cancel.Cancel(); } },
        };

        var exitCode = await Command().RunAsync(arguments, run, cancel.Token);

        Assert.Equal(ExitCodes.Interrupted, exitCode);
        Assert.Equal(1, run.StopCalls);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(arguments.OutputDirectory, "metrics.jsonl")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(arguments.OutputDirectory, "summary.json")));
        Assert.Equal("Stopped", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(2, summary.RootElement.GetProperty("steps").GetInt64());
        Assert.True(File.Exists(Path.Combine(arguments.OutputDirectory, "chart.png")));
        Assert.Contains("stopping run demo-t", error.ToString());
    }

    [Fact]
    public async Task A_run_that_does_not_stop_in_time_is_left_after_the_grace_period()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6) { StallAfterStep = 0, IgnoreStop = true };

        var exitCode = await Command(stopGrace: TimeSpan.FromMilliseconds(50)).RunAsync(arguments, run, cancel.Token);

        Assert.Equal(ExitCodes.Interrupted, exitCode);
        Assert.Equal(1, run.StopCalls);
        Assert.Contains("did not stop within", error.ToString());
        Assert.True(File.Exists(Path.Combine(arguments.OutputDirectory, "summary.json")));
    }

    [Fact]
    public async Task A_failed_run_exits_with_1_and_reports_its_error()
    {
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6) { FailAtStep = 3 };

        var exitCode = await Command().RunAsync(arguments, run, CancellationToken.None);

        Assert.Equal(ExitCodes.RunFailed, exitCode);
        Assert.Contains("learner diverged", error.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(arguments.OutputDirectory, "summary.json")));
        Assert.Equal("Failed", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal("learner diverged", summary.RootElement.GetProperty("error").GetString());
        Assert.Equal(3, File.ReadAllLines(Path.Combine(arguments.OutputDirectory, "metrics.jsonl")).Length);
    }

    [Fact]
    public async Task A_grain_call_that_throws_keeps_the_steps_so_far_records_the_state_last_read_and_exits_with_5()
    {
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6) { ThrowAfterStep = 2 };

        var exitCode = await Command().RunAsync(arguments, run, CancellationToken.None);

        Assert.Equal(ExitCodes.ClientFailed, exitCode);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(arguments.OutputDirectory, "metrics.jsonl")).Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(arguments.OutputDirectory, "summary.json")));
        // The run said Training at step 2; the client's own failure is no state of the run.
        Assert.Equal("Training", summary.RootElement.GetProperty("state").GetString());
        Assert.Equal(2, summary.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("error").ValueKind);
        Assert.Contains("stopped watching run demo-t: silo connection lost; this says nothing about the run, which was Training at step 2/6", error.ToString());
    }

    [Fact]
    public async Task Summary_and_chart_are_refreshed_while_the_run_goes()
    {
        var summaryPath = Path.Combine(arguments.OutputDirectory, "summary.json");
        var seenMidRun = new List<long>();
        var run = new ScriptedRunGrain("demo-t", totalSteps: 6)
        {
            OnStatusPoll = _ =>
            {
                if (File.Exists(summaryPath))
                {
                    using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
                    seenMidRun.Add(summary.RootElement.GetProperty("steps").GetInt64());
                }
            },
        };

        await Command(refreshEverySteps: 2).RunAsync(arguments, run, CancellationToken.None);

        Assert.Contains(2L, seenMidRun);
        Assert.Contains(4L, seenMidRun);
    }

    private TrainCommand Command(TimeSpan? stopGrace = null, int refreshEverySteps = 10) => new(
        new PlainProgressView(output),
        output,
        error,
        new TrainSettings
        {
            PollInterval = TimeSpan.FromMilliseconds(5),
            StopGrace = stopGrace ?? TimeSpan.FromSeconds(5),
            RefreshEverySteps = refreshEverySteps,
        });
}
