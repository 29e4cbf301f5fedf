using Grpo.Core.Model;

namespace Grpo.Core.Training;

/// <summary>
/// The reference π_ref of the KL penalty: a model whose forward, inside <see cref="Evaluate{T}"/>, is the policy as it was
/// before GRPO changed it. Either a frozen copy of the policy or, with LoRA, the policy itself with its adapters off.
/// </summary>
public interface IReferencePolicy
{
    /// <summary>Runs <paramref name="forward"/> on the model that computes the reference; call it without gradients.</summary>
    T Evaluate<T>(Func<CausalLM, T> forward);
}
