using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Generation;

/// <summary>
/// Next token of each row and its recorded log-prob: log_softmax(logits / T)[token] at the log-prob temperature, taken
/// before top-k / top-p filtering (see <see cref="GeneratedSequence"/>).
/// </summary>
internal static class ChosenTokens
{
    /// <param name="logits">[B, V] last-position logits</param>
    /// <param name="choose">picks the tokens from the temperature-scaled float32 logits</param>
    public static (long[] Ids, float[] LogProbs) Pick(Tensor logits, SamplingOptions options, Func<Tensor, long[]> choose)
    {
        using var scope = NewDisposeScope();
        var scaled = logits.to_type(ScalarType.Float32) / options.LogProbTemperature;
        var ids = choose(scaled);
        var chosen = tensor(ids, [ids.Length, 1], device: scaled.device);
        var logProbs = nn.functional.log_softmax(scaled, -1).gather(1, chosen).squeeze(1);
        return (ids, logProbs.cpu().data<float>().ToArray());
    }
}
