namespace Grpo.Core.Tasks;

/// <summary>A task's examples divided into training and held-out sets, with the seed that orders its batches.</summary>
public sealed record TaskSplit(IReadOnlyList<TaskExample> Train, IReadOnlyList<TaskExample> HeldOut, int Seed)
{
    /// <summary>
    /// The examples of a data file shuffled once by the seed, the first <see cref="TaskSettings.HeldOutSize"/> kept
    /// out of training. <paramref name="source"/> (the file) names the data in the error when nothing is left to train on.
    /// </summary>
    public static TaskSplit Shuffled(IReadOnlyList<TaskExample> examples, TaskSettings settings, string source)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(settings);
        if (examples.Count <= settings.HeldOutSize)
            throw new InvalidDataException(
                $"{source}: {examples.Count} examples, and held_out_size {settings.HeldOutSize} would leave none for training.");
        var shuffled = examples.ToArray();
        // A salt of its own keeps the split independent of the epoch orders drawn from the same seed.
        new SplitMix64(SplitMix64.Mix(settings.Seed, 0x5EED_DA7A)).Shuffle(shuffled);
        return new TaskSplit(shuffled[settings.HeldOutSize..], shuffled[..settings.HeldOutSize], settings.Seed);
    }
}
