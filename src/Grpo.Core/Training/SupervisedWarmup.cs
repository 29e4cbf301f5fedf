using Grpo.Core.Tasks;

namespace Grpo.Core.Training;

/// <summary>
/// A short supervised pass over task examples (prompt → answer + EOS) so GRPO starts from a policy that already
/// earns some reward: a group whose completions all score 0 carries no signal.
/// </summary>
public static class SupervisedWarmup
{
    /// <param name="targetReached">
    /// Checked every <paramref name="checkEvery"/> steps; the warm-up ends early once it has held on
    /// <paramref name="checksInARow"/> checks in a row.
    /// </param>
    public static WarmupResult Run(
        SupervisedTrainer trainer, PromptCodec codec, IReadOnlyList<TaskExample> examples, int steps, int batchSize, ulong seed,
        IProgress<(int Step, float Loss)>? progress = null, Func<bool>? targetReached = null, int checkEvery = 25,
        int checksInARow = 1, CancellationToken cancellationToken = default)
    {
        if (examples.Count == 0) throw new ArgumentException("supervised warm-up needs at least one example.");
        var prompts = examples.Select(e => codec.EncodePrompt(e.Prompt)).ToArray();
        var targets = examples.Select(e => codec.EncodeTarget(e.Answer)).ToArray();
        var random = new SplitMix64(seed);
        var loss = float.NaN;
        var held = 0;
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var picks = Enumerable.Range(0, batchSize).Select(_ => random.NextInt(examples.Count)).ToArray();
            loss = trainer.Step(picks.Select(i => prompts[i]).ToArray(), picks.Select(i => targets[i]).ToArray());
            progress?.Report((step + 1, loss));
            if (targetReached is null || (step + 1) % checkEvery != 0) continue;
            held = targetReached() ? held + 1 : 0;
            if (held >= checksInARow) return new WarmupResult(step + 1, loss, ReachedTarget: true);
        }
        return new WarmupResult(steps, loss, ReachedTarget: false);
    }
}

public sealed record WarmupResult(int Steps, float Loss, bool ReachedTarget);
