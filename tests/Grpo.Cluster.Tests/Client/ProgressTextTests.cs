using Grpo.Abstractions.Contracts;
using Grpo.Client.Progress;

namespace Grpo.Cluster.Tests.Client;

public sealed class ProgressTextTests
{
    private static readonly StepMetrics Step = new()
    {
        Step = 3, PolicyVersion = 3, MeanReward = 0.625f, HeldOutAccuracy = 0.41, MeanKl = 0.0123f,
        ClipFraction = 0.05f, PaddingFraction = 0.25f, TokensPerSecond = 1234.4,
    };

    [Fact]
    public void A_step_line_shows_every_value_in_invariant_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal(
                "step 3/40  reward 0.625  acc 0.410  kl 0.0123  clip 0.050  pad 0.250  1234 tok/s  v3  00:01:23",
                ProgressText.StepLine(Step, 40, TimeSpan.FromSeconds(83)));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void A_step_without_accuracy_leaves_it_out()
    {
        Assert.Equal(
            "step 3/40  reward 0.625  kl 0.0123  clip 0.050  pad 0.250  1234 tok/s  v3  01:00:00",
            ProgressText.StepLine(Step with { HeldOutAccuracy = null }, 40, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_step_with_a_rollout_mismatch_shows_it_and_the_corrected_fraction()
    {
        Assert.Equal(
            "step 3/40  reward 0.625  kl 0.0123  clip 0.050  pad 0.250  mismatch 0.0042/0.00002  corrected 0.013  1234 tok/s  v3  01:00:00",
            ProgressText.StepLine(Step with { HeldOutAccuracy = null, RolloutLogProbDelta = 0.0042f, RolloutKl = 0.00002f, RolloutCorrectedFraction = 0.0125f },
                40, TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(59.9, "00:00:59")]
    [InlineData(3661, "01:01:01")]
    [InlineData(90000, "25:00:00")]
    [InlineData(-5, "00:00:00")]
    public void Elapsed_time_is_hours_minutes_seconds(double seconds, string expected) =>
        Assert.Equal(expected, ProgressText.Elapsed(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_plain_view_writes_each_new_step_and_each_phase_change_once()
    {
        var output = new StringWriter();
        var view = new PlainProgressView(output);
        var warming = new RunStatus { RunId = "r", State = RunState.WarmingUp, Phase = "supervised warm-up", TotalSteps = 40 };
        var training = warming with { State = RunState.Training, Phase = "" };

        view.Report(new RunProgress(warming, null, null, TimeSpan.FromSeconds(1)), []);
        view.Report(new RunProgress(warming, null, null, TimeSpan.FromSeconds(2)), []);
        view.Report(new RunProgress(training, Step, 0.41, TimeSpan.FromSeconds(83)), [Step]);
        view.Report(new RunProgress(training, Step, 0.41, TimeSpan.FromSeconds(84)), []);

        Assert.Equal(
            [
                "00:00:01  WarmingUp: supervised warm-up",
                "step 3/40  reward 0.625  acc 0.410  kl 0.0123  clip 0.050  pad 0.250  1234 tok/s  v3  00:01:23",
                "00:01:23  Training",
            ],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
