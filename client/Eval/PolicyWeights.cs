using Grpo.Core.Checkpoints;
using Grpo.Grains.Runs;

namespace Grpo.Client.Eval;

/// <summary>
/// The weights to evaluate, as the weight image the rollout engine loads, read from a checkpoint or a model directory.
/// A LoRA checkpoint gives its adapters only (<paramref name="Adapters"/>): the engine rebuilds the run's base and applies
/// them, as rollout silos do during the run.
/// </summary>
/// <param name="CheckpointWarning">Newer checkpoints passed over because they failed checksum verification, and why (see <see cref="CheckpointChoice.Warning"/>).</param>
public sealed record PolicyWeights(WeightImage Image, long? Step, string Folder, bool Adapters = false, string? CheckpointWarning = null)
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
        var choice = FindCheckpoint(source);
        var folder = choice.Path!;
        // Loading the whole policy, not just reading its files, checks the checksums and that it fits the run's model.
        var (policy, state) = RunCheckpointPolicy.Load(assets, folder);
        using (policy)
        {
            return policy.Lora is null
                ? new PolicyWeights(WeightSnapshot.Capture(policy), state.Step, folder, CheckpointWarning: choice.Warning)
                : new PolicyWeights(WeightSnapshot.Capture(policy.AdapterStateDict()), state.Step, folder, Adapters: true, choice.Warning);
        }
    }

    private static PolicyWeights FromModel(string source)
    {
        using var model = HfModelDirectory.Load(source);
        return new PolicyWeights(WeightSnapshot.Capture(model), null, source);
    }

    /// <summary>
    /// The folder itself when it is a checkpoint, else the newest checkpoint in it that passes checksum verification,
    /// else that of its only run folder (so both <c>runs/ID/checkpoints</c> and <c>runs/ID/checkpoints/ID</c> work).
    /// Newer checkpoints that fail are named in <see cref="CheckpointChoice.Warning"/>, by the rule the learner
    /// follows when it resumes; a folder named explicitly is used or refused, never replaced by another.
    /// </summary>
    /// <returns>A choice whose <see cref="CheckpointChoice.Path"/> is set.</returns>
    /// <exception cref="EvalInputException">No checkpoint passes verification, or several runs' checkpoints are found.</exception>
    public static CheckpointChoice FindCheckpoint(string source)
    {
        if (File.Exists(Path.Combine(source, TrainerStateFileName))) return new CheckpointChoice(source, null, []);
        var own = TrainingCheckpoint.ChooseNewest(source);
        if (own.Path is not null) return own;
        if (own.OnlyBadCheckpoints) throw new EvalInputException(own.Refusal(source) + ".");
        var nested = (Directory.Exists(source) ? Directory.GetDirectories(source) : [])
            .Select(folder => (Folder: folder, Choice: TrainingCheckpoint.ChooseNewest(folder)))
            .Where(run => run.Choice.Path is not null || run.Choice.OnlyBadCheckpoints)
            .ToArray();
        return nested.Length switch
        {
            1 when nested[0].Choice.Path is null => throw new EvalInputException(nested[0].Choice.Refusal(nested[0].Folder) + "."),
            1 => nested[0].Choice,
            0 => throw new EvalInputException(
                $"'{source}' holds no complete checkpoint (a folder with {TrainerStateFileName}, {TrainingCheckpoint.ModelFileName} and {TrainingCheckpoint.OptimizerFileName})."),
            _ => throw new EvalInputException(
                $"'{source}' holds checkpoints of {nested.Length} runs ({string.Join(", ", nested.Select(run => Path.GetFileName(run.Folder)))}); name one of their folders."),
        };
    }
}
