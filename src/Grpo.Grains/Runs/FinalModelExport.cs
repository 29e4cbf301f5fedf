using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Runs;

/// <summary>
/// A run's trained policy written as a Hugging Face model directory: full weights as they are, LoRA adapters merged into
/// the run's base. Meant for the end of a run as well as for <c>grpo export</c>.
/// </summary>
public static class FinalModelExport
{
    /// <summary>
    /// Loads <paramref name="checkpointDirectory"/> as the run's policy (<see cref="RunCheckpointPolicy"/>) and writes it to
    /// <paramref name="outputDirectory"/> in <paramref name="dtype"/>, with the tokenizer files of the run's model
    /// directory when it has one.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is unusable for this run; the message names it.</exception>
    /// <exception cref="IOException">The output folder exists and is not empty and <paramref name="overwrite"/> is false.</exception>
    public static FinalModelExportResult ExportFinalModel(RunAssets assets, string checkpointDirectory, string outputDirectory, HfExportDType dtype,
        bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var (policy, state) = RunCheckpointPolicy.Load(assets, checkpointDirectory);
        using (policy)
        {
            var written = PolicyExport.WriteModel(outputDirectory, policy, new HfExportOptions
            {
                DType = dtype,
                TokenizerSource = assets.Config.ModelPath is { } modelPath ? Path.GetFullPath(modelPath) : null,
                Overwrite = overwrite,
            });
            return new FinalModelExportResult(written, state.Step, MergedAdapters: policy.Lora is not null);
        }
    }
}
