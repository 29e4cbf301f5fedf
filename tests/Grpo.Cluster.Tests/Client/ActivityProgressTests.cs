using Grpo.Abstractions.Contracts;
using Grpo.Client.Progress;
using Spectre.Console;

namespace Grpo.Cluster.Tests.Client;

/// <summary>How the console shows the learner's long actions: warm-up, evaluation, checkpoint writes.</summary>
public sealed class ActivityProgressTests
{
    private static readonly RunStatus Warming = new() { RunId = "r", State = RunState.WarmingUp, Phase = "warm-up", TotalSteps = 10 };

    [Fact]
    public void The_plain_view_writes_an_activity_when_it_starts_and_at_each_tenth_of_its_work()
    {
        var output = new StringWriter();
        var view = new PlainProgressView(output);
        LearnerActivity?[] polls =
        [
            new("building the policy", 0, 0),
            new("building the policy", 0, 0),
            new("supervised warm-up (loss 2.100)", 10, 1000),
            new("supervised warm-up (loss 1.900)", 60, 1000),
            new("supervised warm-up (loss 1.500)", 120, 1000),
            new("supervised warm-up (loss 0.700)", 1000, 1000),
            null,
            new("baseline evaluation", 0, 0),
        ];

        for (var i = 0; i < polls.Length; i++)
        {
            view.Report(new RunProgress(Warming, null, null, TimeSpan.FromSeconds(i), Activity: polls[i]), []);
        }

        Assert.Equal(
            [
                "00:00:00  WarmingUp: warm-up",
                "00:00:00  building the policy",
                "00:00:02  supervised warm-up (loss 2.100) 10/1000 (1%)",
                "00:00:04  supervised warm-up (loss 1.500) 120/1000 (12%)",
                "00:00:05  supervised warm-up (loss 0.700) 1000/1000 (100%)",
                "00:00:07  baseline evaluation",
            ],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_live_table_shows_the_learners_activity_with_a_bar_when_its_length_is_known()
    {
        var writer = new StringWriter();
        var console = PlainConsole.Create(writer);
        console.Profile.Width = 160;

        console.Write(LiveProgressView.Render(new RunProgress(Warming, null, null, TimeSpan.Zero, Activity: new("supervised warm-up (loss 1.200)", 300, 1500))));
        console.Write(LiveProgressView.Render(new RunProgress(Warming, null, null, TimeSpan.Zero, Activity: new("writing the checkpoint of step 9", 0, 0))));

        var text = writer.ToString();
        Assert.Contains("supervised warm-up (loss 1.200) 300/1500", text);
        Assert.Contains("writing the checkpoint of step 9 …", text);
    }
}
