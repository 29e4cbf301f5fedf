using System.Globalization;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>
/// Training checkpoints as folders <c>step-XXXXXXXX/</c> holding <c>model.safetensors</c> (Hugging Face names, so the
/// folder is also a loadable weight folder; with LoRA, PEFT's adapter files instead), <c>optimizer.safetensors</c> and <c>trainer_state.json</c> with a SHA-256
/// of each file. A folder is written under a temporary name and renamed when complete, so a crash never leaves a
/// folder that looks like a checkpoint but is not one. Folders are 0700 and files 0600 (see <see cref="PrivateFiles"/>).
/// Every file is checked against its checksum before anything is loaded (see <see cref="Verify"/>).
/// </summary>
public static partial class TrainingCheckpoint
{
    public const string ModelFileName = "model.safetensors";
    public const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>What a folder that failed verification is renamed to end with (plus a unique id) when its step is saved again.</summary>
    public const string FailedVerificationSuffix = ".failed-verification-";

    static readonly Regex CheckpointFolderName = new(@"^step-(\d{8,})$", RegexOptions.CultureInvariant);

    /// <param name="baseModelNameOrPath">With LoRA, the base the adapters belong to, written to adapter_config.json; null when the run's seed made it.</param>
    public static string Save(string rootDirectory, nn.Module model, IReadOnlyDictionary<string, Tensor> optimizerState, TrainingState state, int keepLast,
        string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizerState);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.Step);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);

        PrivateFiles.CreateFolder(rootDirectory);
        var folderName = $"step-{state.Step:D8}";
        var final = Path.Combine(rootDirectory, folderName);
        var temporary = Path.Combine(rootDirectory, $"{folderName}.tmp-{Guid.NewGuid():N}");
        PrivateFiles.CreateFolder(temporary);
        try
        {
            var weightFiles = SaveWeights(temporary, model, baseModelNameOrPath);
            SafeTensors.Save(Path.Combine(temporary, OptimizerFileName), optimizerState);
            var digests = weightFiles.Append(OptimizerFileName).Select(name => TrainerStateFile.Digest(temporary, name)).ToArray();
            TrainerStateFile.Write(Path.Combine(temporary, TrainerStateFile.FileName), state, digests);
            PrivateFiles.Restrict(temporary);
            MoveIntoPlace(temporary, final);
        }
        catch
        {
            if (Directory.Exists(temporary))
                Directory.Delete(temporary, recursive: true);
            throw;
        }

        // Only once the new checkpoint is in place may older ones go; the one just written is always kept.
        var older = CompleteCheckpoints(rootDirectory)
            .Where(c => !string.Equals(c.Path, final, StringComparison.Ordinal))
            .OrderByDescending(c => c.Step)
            .Skip(keepLast - 1);
        foreach (var (_, path) in older)
            Directory.Delete(path, recursive: true);
        return final;
    }

    /// <summary>
    /// Verifies every file against the checksums in <c>trainer_state.json</c>, loads the weights into
    /// <paramref name="model"/> (strict) and returns the training and optimizer state.
    /// </summary>
    public static LoadedCheckpoint Load(string checkpointDirectory, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Verify(checkpointDirectory) is { } problem)
            throw new InvalidDataException($"Checkpoint '{checkpointDirectory}' failed verification: {problem}");
        var statePath = Path.Combine(checkpointDirectory, TrainerStateFile.FileName);
        var contents = TrainerStateFile.Read(statePath);
        var weightsFile = WeightsFileOf(checkpointDirectory, model);
        if (!contents.Files.Any(f => f.Name == weightsFile))
            throw new InvalidDataException($"Trainer state '{statePath}' lists no checksum for '{weightsFile}'.");

        // The optimizer state is read before the weights are copied, so a failure leaves the model as it was.
        var optimizer = SafeTensors.Load(Path.Combine(checkpointDirectory, OptimizerFileName));
        try
        {
            LoadWeights(checkpointDirectory, model);
        }
        catch
        {
            foreach (var tensor in optimizer.Values)
                tensor.Dispose();
            throw;
        }
        return new LoadedCheckpoint(contents.State, optimizer);
    }

    static void MoveIntoPlace(string temporary, string final)
    {
        if (!Directory.Exists(final))
        {
            Directory.Move(temporary, final);
            return;
        }
        // Saving the same step again replaces the old folder; it is moved aside first so that some complete
        // checkpoint of this step exists at every moment. One that failed verification (a resume passed over it and
        // redid its steps) is kept under its new name, so whoever looks into why still has its files.
        var failed = Verify(final) is not null;
        var displaced = final + (failed ? FailedVerificationSuffix : ".old-") + Guid.NewGuid().ToString("N");
        Directory.Move(final, displaced);
        Directory.Move(temporary, final);
        if (!failed)
            Directory.Delete(displaced, recursive: true);
    }

    /// <summary>
    /// Checkpoint folders whose trainer state exists and whose listed files all exist with the recorded sizes: the
    /// cheap test that decides which folders count towards keep_checkpoints, never which one is loaded.
    /// </summary>
    static IEnumerable<(long Step, string Path)> CompleteCheckpoints(string rootDirectory)
    {
        foreach (var (step, directory) in StepFolders(rootDirectory))
            if (IsComplete(directory))
                yield return (step, directory);
    }

    /// <summary>Every folder named like a checkpoint (<c>step-XXXXXXXX</c>), complete or not.</summary>
    static IEnumerable<(long Step, string Path)> StepFolders(string rootDirectory)
    {
        foreach (var directory in Directory.EnumerateDirectories(rootDirectory))
        {
            var match = CheckpointFolderName.Match(Path.GetFileName(directory));
            if (match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                yield return (step, directory);
        }
    }

    static bool IsComplete(string directory)
    {
        var statePath = Path.Combine(directory, TrainerStateFile.FileName);
        if (!File.Exists(statePath))
            return false;
        try
        {
            var contents = TrainerStateFile.Read(statePath);
            return contents.Files.Count > 0 && contents.Files.All(f =>
            {
                var info = new FileInfo(Path.Combine(directory, f.Name));
                return info.Exists && info.Length == f.Length;
            });
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
