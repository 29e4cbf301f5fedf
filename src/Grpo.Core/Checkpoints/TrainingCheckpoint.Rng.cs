using static TorchSharp.torch;

namespace Grpo.Core.Checkpoints;

/// <summary>Captures and restores a torch random generator so a resumed run draws the same numbers it would have drawn.</summary>
public static partial class TrainingCheckpoint
{
    public static byte[] CaptureRng(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var state = generator.get_state();
        using var cpu = state.cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    public static void RestoreRng(Generator generator, byte[] state)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(state);
        var expectedLength = CaptureRng(generator).Length;
        if (state.Length != expectedLength)
            throw new ArgumentException($"RNG state has {state.Length} bytes but this generator's state has {expectedLength}; it was captured from a different kind of generator or libtorch version.", nameof(state));
        using var stateTensor = tensor(state, dtype: ScalarType.Byte);
        generator.set_state(stateTensor);
    }
}
