using Grpo.Abstractions.Contracts;
using Grpo.Client.Cluster;

namespace Grpo.Cluster.Tests.Client;

/// <summary><c>grpo status</c> names the checkpoints the learner passed over, after the one it used.</summary>
public sealed class CheckpointWarningStatusTests
{
    [Fact]
    public void A_checkpoint_warning_is_printed_after_the_last_checkpoint()
    {
        const string warning = "checkpoint '/c/r/step-00000004' failed verification: file '/c/r/step-00000004/model.safetensors' is missing; "
                               + "using checkpoint '/c/r/step-00000002' (step 2) instead";
        var status = new RunStatus
        {
            RunId = "r", State = RunState.Training, Phase = "training", Step = 3, TotalSteps = 6, PolicyVersion = 3,
            CheckpointStep = 2, CheckpointPath = "/c/r/step-00000002", CheckpointWarning = warning,
        };

        var lines = StatusText.Lines(status);

        var at = lines.ToList().IndexOf("  last checkpoint    step 2 (/c/r/step-00000002)");
        Assert.True(at >= 0, string.Join('\n', lines));
        Assert.Equal("  checkpoint warning " + warning, lines[at + 1]);
    }

    [Fact]
    public void Without_a_warning_there_is_no_warning_line()
    {
        var lines = StatusText.Lines(new RunStatus { RunId = "r", State = RunState.Training, TotalSteps = 6 });

        Assert.DoesNotContain(lines, line => line.Contains("checkpoint warning", StringComparison.Ordinal));
    }
}
