using Grpo.Core.Checkpoints;
using Grpo.Grains.Runs;

namespace Grpo.Client.Eval;

/// <summary>
/// The weights to evaluate, as the weight image the rollout engine loads, read from a checkpoint or a model directory.
/// A LoRA checkpoint gives its adapters only (<paramref name="Adapters"/>): the engine rebuilds the run's base and applies
/// them, as rollout silos do during the run.
/// </summary>
public sealed record PolicyWeights(WeightImage Image, long? Step, string Folder, bool Adapters = false)
{
    /// <summary>The file that marks a complete learner checkpoint folder (written last, see TrainingCheckpoint).</summary>
    public const string TrainerStateFileName = "trainer_state.json";

    /// <exception cref="EvalInputException">No checkpoint is found, or it is incomplete, corrupt or of another model shape.</exception>
    public static PolicyWeights Load(EvalArguments arguments, RunAssets assets)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(assets);
        try
        {
            return arguments.SourceKind == EvalArguments.CheckpointKind ? FromCheckpoint(arguments.Source, assets) : FromModel(arguments.Source);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new EvalInputException($"cannot load the policy from '{arguments.Source}': {e.Message}", e);
        }
    }

    private static PolicyWeights FromCheckpoint(string source, RunAssets assets)
    {
        var folder = FindCheckpoint(source);
        // Loading the whole policy, not just reading its files, checks the checksums and that it fits the run's model.
        var (policy, state) = RunCheckpointPolicy.Load(assets, folder);
        using (policy)
        {
            return policy.Lora is null
                ? new PolicyWeights(WeightSnapshot.Capture(policy), state.Step, folder)
                : new PolicyWeights(WeightSnapshot.Capture(policy.AdapterStateDict()), state.Step, folder, Adapters: true);
        }
    }

    private static PolicyWeights FromModel(string source)
    {
        using var model = HfModelDirectory.Load(source);
        return new PolicyWeights(WeightSnapshot.Capture(model), null, source);
    }

    /// <summary>
    /// The folder itself when it is a checkpoint, else the newest complete checkpoint in it, else the newest in its
    /// only run folder (so both <c>runs/ID/checkpoints</c> and <c>runs/ID/checkpoints/ID</c> work).
    /// </summary>
    public static string FindCheckpoint(string source)
    {
        if (File.Exists(Path.Combine(source, TrainerStateFileName))) return source;
        if (TrainingCheckpoint.FindLatest(source) is { } latest) return latest;
        var nested = Directory.GetDirectories(source).Select(TrainingCheckpoint.FindLatest).OfType<string>().ToArray();
        return nested.Length switch
        {
            1 => nested[0],
            0 => throw new EvalInputException(
                $"'{source}' holds no complete checkpoint (a folder with {TrainerStateFileName}, {TrainingCheckpoint.ModelFileName} and {TrainingCheckpoint.OptimizerFileName})."),
            _ => throw new EvalInputException(
                $"'{source}' holds checkpoints of {nested.Length} runs ({string.Join(", ", nested.Select(Path.GetFileName))}); name one of their folders."),
        };
    }
}
