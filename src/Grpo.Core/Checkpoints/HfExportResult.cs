namespace Grpo.Core.Checkpoints;

/// <summary>What <see cref="HfExport.Write"/> wrote: the directory, its weight files and the tokenizer files it copied.</summary>
public sealed record HfExportResult(string Directory, string TorchDtype, IReadOnlyList<string> WeightFiles, IReadOnlyList<string> TokenizerFiles, long WeightBytes);
