using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The policy-gradient term of the objective, per token: how the importance ratio and the advantage become a loss
/// whose gradient moves the policy (veRL's <c>@register_policy_loss</c> functions, with the aggregation left to
/// <see cref="ILossAggregation"/> and the KL penalty to <see cref="IKlEstimator"/>). Implementations are selected by
/// name from <see cref="Registries.GrpoRegistries.PolicyLosses"/>.
/// </summary>
public interface IPolicyLoss
{
    /// <summary>
    /// The loss of every token, [completions, tokens]. Values at padding positions are ignored: the objective
    /// multiplies the result by the mask. Runs inside the objective's dispose scope, which frees what it creates.
    /// </summary>
    torch.Tensor PerTokenLoss(PolicyLossInputs inputs);
}
