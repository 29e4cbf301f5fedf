namespace Grpo.Core.Checkpoints;

// A checkpoint is trusted only once every file it lists hashes to the SHA-256 its trainer_state.json records: a size
// check passes a file whose bytes changed, and a folder that fails is named, never skipped in silence.
public static partial class TrainingCheckpoint
{
    /// <summary>
    /// The newest checkpoint under <paramref name="rootDirectory"/> that passes <see cref="Verify"/>, with every newer
    /// folder named <c>step-XXXXXXXX</c> that did not and why. Older folders than the one chosen are not read.
    /// </summary>
    public static CheckpointChoice ChooseNewest(string rootDirectory)
    {
        if (!Directory.Exists(rootDirectory)) return CheckpointChoice.None;
        var rejected = new List<RejectedCheckpoint>();
        foreach (var (step, path) in StepFolders(rootDirectory).OrderByDescending(c => c.Step))
        {
            if (Verify(path) is { } problem)
                rejected.Add(new RejectedCheckpoint(path, step, problem));
            else
                return new CheckpointChoice(path, step, rejected);
        }
        return new CheckpointChoice(null, null, rejected);
    }

    /// <summary>
    /// The folder <see cref="ChooseNewest"/> chooses, or null; for tools and tests that need no account of what was
    /// passed over. A resume reports <see cref="CheckpointChoice.Warning"/> instead of calling this.
    /// </summary>
    public static string? FindLatest(string rootDirectory) => ChooseNewest(rootDirectory).Path;

    /// <summary>
    /// Null when the folder's trainer_state.json reads and every file it lists exists with the recorded length and
    /// SHA-256, and it lists the optimizer state and a weight file; otherwise the problem, naming the file. A folder
    /// without trainer_state.json, or whose trainer_state.json lists no files, has no checksums to verify and fails:
    /// every checkpoint this project writes has them, so such a folder was not written by it or not completely.
    /// </summary>
    public static string? Verify(string checkpointDirectory)
    {
        var statePath = Path.Combine(checkpointDirectory, TrainerStateFile.FileName);
        if (!File.Exists(statePath))
            return $"it has no '{TrainerStateFile.FileName}', so no checksums (incomplete or not a checkpoint)";
        TrainerStateFile.Contents contents;
        try
        {
            contents = TrainerStateFile.Read(statePath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }

        if (contents.Files.Count == 0)
            return $"'{statePath}' lists no files, so no checksums";
        if (!contents.Files.Any(f => f.Name == OptimizerFileName))
            return $"'{statePath}' lists no checksum for '{OptimizerFileName}'";
        if (!contents.Files.Any(f => f.Name is ModelFileName or PeftAdapterFiles.WeightsFileName))
            return $"'{statePath}' lists no checksum for '{ModelFileName}' or '{PeftAdapterFiles.WeightsFileName}'";
        foreach (var expected in contents.Files)
        {
            var path = Path.Combine(checkpointDirectory, expected.Name);
            if (!File.Exists(path))
                return $"file '{path}' is missing";
            TrainerStateFile.FileDigest actual;
            try
            {
                actual = TrainerStateFile.Digest(checkpointDirectory, expected.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"file '{path}' cannot be read: {e.Message}";
            }
            if (actual.Length != expected.Length)
                return $"file '{path}' is corrupt: {actual.Length} bytes where '{statePath}' records {expected.Length} (truncated or extended)";
            if (actual.Sha256 != expected.Sha256)
                return $"file '{path}' is corrupt: SHA-256 {actual.Sha256} where '{statePath}' records {expected.Sha256}";
        }
        return null;
    }
}
