using Grpo.Core.Model;

namespace Grpo.Benchmarks;

/// <summary>
/// Floating-point operations of the model's matrix products (projections, MLP, attention scores and weighted sums,
/// output head), the usual count behind "achieved FLOP/s"; norms, rotary and softmax are left out.
/// </summary>
internal static class ModelFlops
{
    /// <summary>One forward over [rows, width] tokens with the output head applied to <paramref name="headColumns"/> columns per row.</summary>
    public static double Forward(ModelConfig model, int rows, int width, int headColumns)
    {
        double hidden = model.HiddenSize;
        double queryWidth = model.NumAttentionHeads * model.HeadDim;
        double keyValueWidth = model.NumKeyValueHeads * model.HeadDim;
        var projections = hidden * queryWidth * 2 + hidden * keyValueWidth * 2 + 3 * hidden * model.IntermediateSize;
        var tokens = (double)rows * width;
        var perLayer = 2 * projections * tokens + 2 * 2 * rows * (double)width * width * queryWidth;
        var head = 2 * hidden * model.VocabSize * rows * (double)headColumns;
        return model.NumHiddenLayers * perLayer + head;
    }
}
