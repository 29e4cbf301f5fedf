namespace Grpo.Core.Tasks;

/// <summary>
/// The run-wide settings every task reads, offered to task components through
/// <see cref="Registries.ComponentServices"/>: the run's seed (data order) and how many examples to keep out of training.
/// </summary>
public sealed record TaskSettings(int Seed, int HeldOutSize)
{
    public int HeldOutSize { get; } = HeldOutSize >= 0
        ? HeldOutSize
        : throw new ArgumentOutOfRangeException(nameof(HeldOutSize), HeldOutSize, "held_out_size must be at least 0.");
}
