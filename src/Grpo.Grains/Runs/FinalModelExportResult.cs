using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Runs;

/// <summary>What <see cref="FinalModelExport.ExportFinalModel"/> wrote, the step of the checkpoint it came from, and whether LoRA adapters were merged.</summary>
public sealed record FinalModelExportResult(HfExportResult Written, long Step, bool MergedAdapters);
