namespace Grpo.Core.Checkpoints;

/// <summary>The dtype an exported Hugging Face directory stores its weights in (and names as <c>torch_dtype</c>).</summary>
public enum HfExportDType
{
    BFloat16,
    Float32,
}
