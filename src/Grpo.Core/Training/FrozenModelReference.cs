using Grpo.Core.Model;

namespace Grpo.Core.Training;

/// <summary>A separate frozen model as the reference (see <see cref="ReferencePolicy.FrozenCopy"/>); the caller owns and disposes it.</summary>
public sealed class FrozenModelReference(CausalLM frozen) : IReferencePolicy
{
    public T Evaluate<T>(Func<CausalLM, T> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return forward(frozen);
    }
}
