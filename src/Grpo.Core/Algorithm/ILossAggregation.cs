using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// How the masked per-token losses become the scalar that is differentiated (TRL's <c>loss_type</c>, veRL's
/// <c>agg_loss</c> modes). The choice sets how much each token and each completion weighs in the update, e.g.
/// whether long completions dilute their tokens (grpo) or not (dapo, dr_grpo). Implementations are selected by name
/// from <see cref="Registries.GrpoRegistries.LossAggregations"/>.
/// </summary>
public interface ILossAggregation
{
    /// <summary>
    /// The 0-dim loss. Runs inside the objective's dispose scope, which frees what it creates; the objective moves
    /// the result out.
    /// </summary>
    /// <remarks>
    /// Gradient accumulation calls this once per micro-batch of a minibatch and sums the results (and their gradients)
    /// into one optimizer update. An aggregation must therefore be a sum over completions or tokens divided by counts of
    /// the whole minibatch: <see cref="LossAggregationInputs.CompletionsInMinibatch"/> and, for a token mean,
    /// <see cref="LossAggregationInputs.MinibatchTokens"/> (null when the rows are the whole minibatch, then the mask's
    /// sum). One that takes a mean over the rows it is given would make the accumulated loss depend on the
    /// micro-batch size.
    /// </remarks>
    torch.Tensor Aggregate(LossAggregationInputs inputs);

    /// <summary>
    /// Refuses, with an <see cref="ArgumentException"/> naming the field, options that this aggregation cannot work
    /// with (e.g. a missing completion budget). Called by <see cref="GrpoOptions.Validate"/>.
    /// </summary>
    void Validate(GrpoOptions options)
    {
    }
}
