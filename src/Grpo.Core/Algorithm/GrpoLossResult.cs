using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>The differentiable loss and its logging statistics. Disposing the result disposes <see cref="Loss"/>.</summary>
/// <param name="Loss">0-dim tensor whose gradient flows to the policy log-probs; the caller owns it.</param>
/// <param name="Stats">Plain numbers for logging.</param>
public sealed record GrpoLossResult(torch.Tensor Loss, GrpoStats Stats) : IDisposable
{
    public void Dispose() => Loss.Dispose();
}
