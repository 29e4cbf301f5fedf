using Grpo.Grains.Learning;

namespace Grpo.Cluster.Tests.Learning;

/// <summary>A run id comes from the client; the learner refuses one that would put its checkpoints outside the checkpoint directory.</summary>
public sealed class LearnerCheckpointOptionsTests
{
    static readonly LearnerCheckpointOptions Options = new("/shared/checkpoints");

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("nul\0byte")]
    public void A_run_id_that_could_leave_the_checkpoint_directory_is_refused_naming_it(string runId)
    {
        var error = Assert.Throws<ArgumentException>(() => Options.RunDirectory(runId));

        Assert.StartsWith($"run id '{runId}' cannot name a checkpoint folder under '/shared/checkpoints'.", error.Message);
    }

    [Theory]
    [InlineData("first-run")]
    [InlineData("run.2026-12-05_a")]
    public void An_ordinary_run_id_names_its_folder_under_the_directory(string runId)
    {
        Assert.Equal(Path.Combine("/shared/checkpoints", runId), Options.RunDirectory(runId));
    }
}
