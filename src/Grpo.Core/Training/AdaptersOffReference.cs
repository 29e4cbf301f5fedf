using Grpo.Core.Model;

namespace Grpo.Core.Training;

/// <summary>
/// With LoRA the base weights never change, so the policy with its adapters switched off is exactly the reference: no
/// second copy of the model is held.
/// </summary>
public sealed class AdaptersOffReference : IReferencePolicy
{
    readonly CausalLM policy;

    /// <exception cref="ArgumentException">The policy has no LoRA adapters (its base trains, so it cannot be its own reference).</exception>
    public AdaptersOffReference(CausalLM policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Lora is null)
            throw new ArgumentException("the policy has no LoRA adapters; without them its weights train and a frozen copy must be the reference.", nameof(policy));
        this.policy = policy;
    }

    public T Evaluate<T>(Func<CausalLM, T> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        using var baseOnly = policy.AdaptersDisabled();
        return forward(policy);
    }
}
