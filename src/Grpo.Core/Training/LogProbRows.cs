using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>Per-completion log-prob rows of different lengths as one right-padded [completions, width] tensor.</summary>
internal static class LogProbRows
{
    public static Tensor Padded(float[][] rows, int width)
    {
        var flat = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
            Array.Copy(rows[i], 0, flat, i * width, Math.Min(rows[i].Length, width));
        return tensor(flat, new long[] { rows.Length, width });
    }
}
