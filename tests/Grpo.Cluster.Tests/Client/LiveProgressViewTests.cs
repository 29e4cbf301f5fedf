using Grpo.Abstractions.Contracts;
using Grpo.Client.Progress;
using Spectre.Console;

namespace Grpo.Cluster.Tests.Client;

public sealed class LiveProgressViewTests
{
    [Fact]
    public void The_live_table_shows_phase_step_metrics_version_and_elapsed_time()
    {
        var writer = new StringWriter();
        var console = PlainConsole.Create(writer);
        var status = new RunStatus
        {
            RunId = "demo-live", State = RunState.Training, Phase = "rollouts", Step = 10, TotalSteps = 40,
            PolicyVersion = 10, BaselineAccuracy = 0.125,
        };
        var step = new StepMetrics { Step = 10, MeanReward = 0.75f, MeanKl = 0.0042f, ClipFraction = 0.125f, TokensPerSecond = 2048 };

        console.Write(LiveProgressView.Render(new RunProgress(status, step, 0.5, TimeSpan.FromSeconds(65))));

        var text = writer.ToString();
        Assert.Contains("demo-live", text);
        Assert.Contains("Training · rollouts", text);
        Assert.Contains("10/40", text);
        Assert.Contains("0.750", text);
        Assert.Contains("0.500 (baseline 0.125)", text);
        Assert.Contains("0.0042", text);
        Assert.Contains("0.125", text);
        Assert.Contains("2048", text);
        Assert.Contains("00:01:05", text);
    }

    [Fact]
    public void Before_the_first_step_the_metrics_show_dashes()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(writer) });
        var status = new RunStatus { RunId = "r", State = RunState.WarmingUp, TotalSteps = 40 };

        console.Write(LiveProgressView.Render(new RunProgress(status, null, null, TimeSpan.Zero)));

        Assert.Contains("0/40", writer.ToString());
        Assert.Contains("mean reward", writer.ToString());
        Assert.Contains(" - ", writer.ToString());
    }
}
