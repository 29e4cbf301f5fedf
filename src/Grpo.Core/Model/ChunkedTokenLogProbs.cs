using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// log_softmax(hidden @ weightᵀ / temperature)[target] for each row, computed over the vocabulary a chunk of rows at a
/// time. Forward keeps only the inputs; backward recomputes each chunk's logits, so no [rows, vocab] tensor ever exists,
/// only [chunk, vocab] ones, one chunk at a time. Apply through <see cref="Compute"/>.
/// </summary>
/// <remarks>
/// With logits z = h Wᵀ / τ and p = softmax(z), d log p[t] / d z = onehot(t) − p, so for an upstream gradient g per row
/// the logit gradient is c = g (onehot − p) / τ (the 1/τ carries the chain rule through the division), and
/// grad_h = c W, grad_W = cᵀ h. The logits are projected in the weight's dtype and only then widened to float32, as
/// <see cref="CausalLM.Project"/> followed by a float32 cast does, so both paths see the same numbers.
/// <para>
/// When the weight is a leaf parameter whose gradient has the weight's dtype (float32 training), each chunk's grad_W is
/// added straight into <c>weight.grad</c> (created as zeros when absent), exactly the sum autograd's accumulation would
/// make, and no gradient is returned for it. Returning a [vocab, hidden] gradient through TorchSharp's custom-function
/// bridge keeps a managed handle on it until the caller's dispose scope ends, so autograd would clone it into
/// <c>.grad</c> instead of adopting it: one more [vocab, hidden] buffer, as large as the logits this class avoids. The
/// cost is that <c>torch.autograd.grad</c> with respect to such a weight does not see this contribution; the learner
/// uses <c>backward()</c>. A weight that is not a leaf (a merged adapter, say) or is narrower than float32 gets its
/// gradient returned the ordinary way.
/// </para>
/// </remarks>
public sealed class ChunkedTokenLogProbs : autograd.SingleTensorFunction<ChunkedTokenLogProbs>
{
    const string TemperatureKey = "temperature";
    const string ChunkKey = "chunk";
    const string HiddenNeedsGradKey = "hiddenNeedsGrad";
    const string WeightNeedsGradKey = "weightNeedsGrad";

    public override string Name => nameof(ChunkedTokenLogProbs);

    /// <param name="hidden">[rows, hidden] states predicting each target</param>
    /// <param name="weight">[vocab, hidden] output projection (lm_head.weight, or the tied embedding weight); no bias</param>
    /// <param name="targets">[rows] int64 token ids</param>
    /// <param name="temperature">logits are divided by it; &lt;= 0 means 1</param>
    /// <param name="chunkTokens">rows projected to the vocabulary at once; must be positive</param>
    /// <returns>[rows] log-probabilities of the targets, float32 (float64 for a float64 weight), differentiable w.r.t. hidden and weight</returns>
    public static Tensor Compute(Tensor hidden, Tensor weight, Tensor targets, double temperature, int chunkTokens)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(targets);
        if (hidden.dim() != 2)
            throw new ArgumentException($"hidden must be [rows, hidden], got [{string.Join(", ", hidden.shape)}]", nameof(hidden));
        if (weight.dim() != 2 || weight.shape[1] != hidden.shape[1])
            throw new ArgumentException($"weight must be [vocab, {hidden.shape[1]}], got [{string.Join(", ", weight.shape)}]", nameof(weight));
        if (targets.dim() != 1 || targets.shape[0] != hidden.shape[0] || targets.dtype != ScalarType.Int64)
            throw new ArgumentException($"targets must be [{hidden.shape[0]}] int64, got {targets.dtype} [{string.Join(", ", targets.shape)}]", nameof(targets));
        if (hidden.dtype != weight.dtype)
            throw new ArgumentException($"hidden is {hidden.dtype} but weight is {weight.dtype}; both must have the same dtype", nameof(hidden));
        if (chunkTokens <= 0)
            throw new ArgumentOutOfRangeException(nameof(chunkTokens), chunkTokens, "chunkTokens must be positive");
        return apply(hidden, weight, targets, temperature > 0 ? temperature : 1.0, chunkTokens);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var hidden = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var targets = (Tensor)vars[2];
        var temperature = (double)vars[3];
        var chunk = (int)vars[4];
        ctx.save_for_backward([hidden, weight, targets]);
        ctx.save_data(TemperatureKey, temperature);
        ctx.save_data(ChunkKey, chunk);
        ctx.save_data(HiddenNeedsGradKey, hidden.requires_grad);
        ctx.save_data(WeightNeedsGradKey, weight.requires_grad);

        var rows = hidden.shape[0];
        var result = empty([rows], Widened(weight.dtype), hidden.device);
        for (long start = 0; start < rows; start += chunk)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(chunk, rows - start);
            var logits = Logits(hidden.narrow(0, start, length), weight, temperature);
            var target = targets.narrow(0, start, length).unsqueeze(1);
            var picked = logits.gather(1, target).squeeze(1) - logits.logsumexp(1);
            result.narrow(0, start, length).copy_(picked);
        }
        return result;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (hidden, weight, targets) = (saved[0], saved[1], saved[2]);
        var temperature = (double)ctx.get_data(TemperatureKey);
        var chunk = (int)ctx.get_data(ChunkKey);
        var hiddenNeedsGrad = (bool)ctx.get_data(HiddenNeedsGradKey);
        var weightNeedsGrad = (bool)ctx.get_data(WeightNeedsGradKey);

        var rows = hidden.shape[0];
        var gradHidden = hiddenNeedsGrad ? empty_like(hidden) : null;
        var wide = Widened(weight.dtype);
        var accumulateInPlace = weightNeedsGrad && weight.is_leaf && weight.dtype == wide;
        if (accumulateInPlace && weight.grad is null)
        {
            using var noGrad = no_grad();
            weight.grad = zeros_like(weight);
        }
        // Otherwise accumulated across chunks in at least float32, so a bfloat16 weight's gradient is rounded once, not per chunk.
        var gradWeight = !weightNeedsGrad ? null : accumulateInPlace ? weight.grad! : zeros(weight.shape, wide, weight.device);
        var upstream = grad_output.to_type(wide);
        for (long start = 0; start < rows; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            var length = Math.Min(chunk, rows - start);
            var hiddenChunk = hidden.narrow(0, start, length);
            var g = upstream.narrow(0, start, length).unsqueeze(1);
            var logitGrad = Logits(hiddenChunk, weight, temperature).softmax(1).mul_(g.neg());
            logitGrad.scatter_add_(1, targets.narrow(0, start, length).unsqueeze(1), g);
            if (temperature != 1.0) logitGrad.div_(temperature);
            if (gradHidden is not null)
                gradHidden.narrow(0, start, length).copy_(logitGrad.to_type(weight.dtype).matmul(weight));
            gradWeight?.addmm_(logitGrad.t(), hiddenChunk.to_type(wide));
        }
        var weightResult = gradWeight is null || accumulateInPlace ? null : gradWeight.to_type(weight.dtype);
        gradHidden?.MoveToOuterDisposeScope();
        weightResult?.MoveToOuterDisposeScope();
        // One gradient per forward argument: targets, temperature and the chunk size have none.
        return [gradHidden!, weightResult!, null!, null!, null!];
    }

    static Tensor Logits(Tensor hiddenChunk, Tensor weight, double temperature)
    {
        var logits = hiddenChunk.matmul(weight.t()).to_type(Widened(weight.dtype));
        return temperature == 1.0 ? logits : logits.div_(temperature);
    }

    // float64 stays float64 (finite-difference checks need it); everything narrower is widened to float32, as the learner uses.
    static ScalarType Widened(ScalarType dtype) => dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
}
