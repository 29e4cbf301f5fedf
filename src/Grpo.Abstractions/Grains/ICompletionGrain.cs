using Grpo.Abstractions.Contracts;

namespace Grpo.Abstractions.Grains;

/// <summary>
/// One completion (key: run/step/prompt/sample). Lives on rollout silos only: asks the silo's rollout engine for a
/// completion from at least the requested policy version and scores it.
/// </summary>
[Alias("grpo.ICompletionGrain")]
public interface ICompletionGrain : IGrainWithStringKey
{
    /// <summary>Bounded by the run's completion_timeout_seconds (the prompt grain's resilience pipeline), not by Orleans' default.</summary>
    [ResponseTimeout("01:00:00"), Alias("Generate")] Task<CompletionResult> GenerateAsync(CompletionRequest request);
}
