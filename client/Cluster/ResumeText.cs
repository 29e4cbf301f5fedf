using Grpo.Abstractions.Contracts;

namespace Grpo.Client.Cluster;

/// <summary>What <c>grpo resume</c> says about where the learner continues: the checkpoint it actually uses.</summary>
public static class ResumeText
{
    public static string LearnerStart(LearnerResumePoint? start) => start switch
    {
        null => "the learner could not be asked where it continues; grpo status names its checkpoint once it has started",
        { Refused: true } => "the learner will refuse to start: no checkpoint passed checksum verification",
        { LiveVersion: { } version, Checkpoint: { } path, CheckpointStep: var step } =>
            $"the learner continues from its live policy at step {version}, restored from checkpoint step {step} ({path})",
        { LiveVersion: { } version } => $"the learner continues from its live policy at step {version}",
        { Checkpoint: { } path, CheckpointStep: var step } => $"the learner restores checkpoint step {step} ({path})",
        _ => "the learner starts from step 0 (no checkpoint)",
    };
}
