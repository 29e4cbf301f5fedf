namespace Grpo.Core.Checkpoints;

/// <summary>How <see cref="HfExport.Write"/> writes a model directory.</summary>
public sealed record HfExportOptions
{
    /// <summary>Weight dtype; <c>bfloat16</c> halves the size and is what Hub checkpoints of these families ship in.</summary>
    public HfExportDType DType { get; init; } = HfExportDType.BFloat16;

    /// <summary>A Hugging Face model directory whose tokenizer files are copied next to the weights; null copies none.</summary>
    public string? TokenizerSource { get; init; }

    /// <summary>Replace an existing non-empty output folder instead of refusing to.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Weights beyond this size are split into shards with an index, as <see cref="HfModelDirectory.Save"/> does.</summary>
    public long MaxShardBytes { get; init; } = 5L << 30;
}
