namespace Grpo.Grains.Learning;

/// <summary>Where learner silos keep run checkpoints: a directory every learner silo can read (a shared volume in a cluster).</summary>
public sealed record LearnerCheckpointOptions(string Directory)
{
    /// <summary>The folder of one run's checkpoints; a run id that could escape the directory is refused.</summary>
    public string RunDirectory(string runId)
    {
        if (string.IsNullOrWhiteSpace(runId) || runId is "." or ".." || runId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || runId.Contains('/') || runId.Contains('\\'))
            throw new ArgumentException($"run id '{runId}' cannot name a checkpoint folder under '{Directory}'.", nameof(runId));
        return Path.Combine(Directory, runId);
    }
}
