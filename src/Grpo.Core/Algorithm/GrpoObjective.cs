using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The GRPO loss, composed as veRL composes its registered pieces: the importance ratio between the current policy
/// and the one that sampled each completion (per token, or per sequence as in GSPO) → the per-token
/// <see cref="GrpoOptions.PolicyLoss"/> → plus β times the per-token <see cref="GrpoOptions.Kl"/> estimate against a
/// frozen reference → reduced by <see cref="GrpoOptions.Aggregation"/>. Given the rollout's and the learner's view of
/// the sampling policy (<see cref="BehaviourMismatch"/>), the policy-gradient term of each token is first multiplied by
/// the detached weight of <see cref="GrpoOptions.RolloutCorrection"/>, before β·KL is added, as TRL's GRPOTrainer
/// multiplies <c>per_token_loss</c> by <c>importance_sampling_ratio</c> and veRL <c>pg_losses</c> by
/// <c>rollout_is_weights</c>. With the default components it is TRL's GRPOTrainer loss, number for number.
/// </summary>
public static class GrpoObjective
{
    /// <param name="logProbs">[completions, tokens] log-probs of the sampled tokens under the policy being trained (carries gradient).</param>
    /// <param name="oldLogProbs">[completions, tokens] log-probs under the policy version that sampled them (treated as constants).</param>
    /// <param name="refLogProbs">[completions, tokens] log-probs under the reference policy; may be null only when β = 0.</param>
    /// <param name="completionMask">[completions, tokens], 1 (or true) for tokens that count, 0 for padding and masked completions.</param>
    /// <param name="advantages">[completions] one advantage per completion.</param>
    /// <param name="minibatch">
    /// When these rows are one micro-batch of a larger minibatch (gradient accumulation), the minibatch's counts: the
    /// aggregation divides by them, so the micro-batch losses sum to the minibatch loss. Null when the rows are the minibatch.
    /// </param>
    /// <param name="mismatch">
    /// The rollout's and the learner's log-probs of the sampling policy, for the rollout correction and the mismatch
    /// statistics; null applies no correction (allowed only with <see cref="NoRolloutCorrection"/>) and reports 0 mismatch.
    /// </param>
    public static GrpoLossResult Compute(
        Tensor logProbs, Tensor oldLogProbs, Tensor? refLogProbs, Tensor completionMask, Tensor advantages, GrpoOptions options,
        MinibatchTotals? minibatch = null, BehaviourMismatch? mismatch = null)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(oldLogProbs);
        ArgumentNullException.ThrowIfNull(completionMask);
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ValidateInputs(logProbs, oldLogProbs, refLogProbs, completionMask, advantages);
        minibatch?.Validate(logProbs.shape[0]);
        if (mismatch is not null)
        {
            SameShape(mismatch.LearnerLogProbs, "mismatch.LearnerLogProbs", logProbs);
            SameShape(mismatch.RolloutLogProbs, "mismatch.RolloutLogProbs", logProbs);
        }
        else if (options.RolloutCorrection is not NoRolloutCorrection)
        {
            throw new ArgumentException(
                $"the rollout correction {options.RolloutCorrection.GetType().Name} needs the rollout's and the learner's log-probs; pass mismatch.",
                nameof(mismatch));
        }

        if (options.Beta > 0f && refLogProbs is null)
            throw new ArgumentException(
                $"refLogProbs is null but GrpoOptions.Beta is {options.Beta.ToString("R", CultureInfo.InvariantCulture)}; the KL penalty needs reference log-probs (or set Beta to 0).",
                nameof(refLogProbs));

        using var scope = NewDisposeScope();
        var dtype = logProbs.dtype;
        var device = logProbs.device;

        var keep = completionMask.dtype == ScalarType.Bool ? completionMask.to(device) : completionMask.to(device).ne(0);
        var padding = keep.logical_not();
        var weights = keep.to_type(dtype);
        var lengths = weights.sum(-1);

        // Padding positions may hold anything (-inf, NaN); zeroing them first keeps 0·NaN out of both the loss and its gradient.
        var policy = logProbs.masked_fill(padding, 0.0);
        var behaviour = oldLogProbs.detach().to(dtype, device).masked_fill(padding, 0.0);
        var logRatio = policy - behaviour;
        if (options.ImportanceSampling == ImportanceSampling.Sequence)
        {
            // GSPO: one ratio per completion, exp of the masked mean token log-ratio, shared by all its tokens.
            var sequenceLogRatio = (logRatio * weights).sum(-1) / lengths.clamp_min(1.0);
            logRatio = sequenceLogRatio.unsqueeze(-1).expand(logProbs.shape);
        }

        var ratio = logRatio.exp();
        var advantage = advantages.to(dtype, device).unsqueeze(-1);
        var lowerBound = 1.0 - options.EpsilonLow;
        var upperBound = 1.0 + options.EffectiveEpsilonHigh;
        var perTokenLoss = options.PolicyLoss.PerTokenLoss(new PolicyLossInputs(policy, logRatio, ratio, advantage, weights, lowerBound, upperBound));
        RolloutCorrectionWeights? correction = null;
        RolloutCorrectionInputs? correctionInputs = null;
        if (mismatch is not null)
        {
            correctionInputs = new RolloutCorrectionInputs(
                mismatch.LearnerLogProbs.detach().to(dtype, device).masked_fill(padding, 0.0),
                mismatch.RolloutLogProbs.detach().to(dtype, device).masked_fill(padding, 0.0),
                weights);
            correction = options.RolloutCorrection.Weights(correctionInputs);
            // The weight changes the measure the gradient is taken under, not the objective: no gradient flows through it.
            perTokenLoss = perTokenLoss * correction.Weight.detach();
        }

        Tensor? kl = null;
        if (refLogProbs is not null)
        {
            var reference = refLogProbs.detach().to(dtype, device).masked_fill(padding, 0.0);
            kl = options.Kl.Estimate(policy, reference);
            if (options.Beta > 0f)
                perTokenLoss = perTokenLoss + options.Beta * kl;
        }

        var maskedLoss = perTokenLoss * weights;
        var loss = options.Aggregation.Aggregate(new LossAggregationInputs(
            maskedLoss, weights, lengths, options.MaxCompletionTokens, minibatch?.Completions, minibatch?.Tokens));
        if (loss.dim() != 0)
            throw new InvalidOperationException(
                $"the loss aggregation {options.Aggregation.GetType().Name} returned a tensor of shape {Show(loss)}; it must reduce to a 0-dim loss.");

        var stats = ComputeStats(loss, ratio, advantage, kl, weights, padding, lengths, lowerBound, upperBound);
        if (correctionInputs is not null && correction is not null)
            stats = MismatchStats(stats, correctionInputs, correction);
        return new GrpoLossResult(loss.MoveToOuterDisposeScope(), stats);
    }

    /// <summary>Returns a copy of <paramref name="completionMask"/> with the rows of truncated completions zeroed (TRL's mask_truncated_completions).</summary>
    /// <param name="completionMask">[completions, tokens] mask, float or bool; the result has the same type.</param>
    /// <param name="truncated">One flag per completion: true when it was cut at max_completion_tokens.</param>
    public static Tensor MaskTruncated(Tensor completionMask, bool[] truncated)
    {
        ArgumentNullException.ThrowIfNull(completionMask);
        ArgumentNullException.ThrowIfNull(truncated);
        if (completionMask.dim() != 2)
            throw new ArgumentException($"completionMask must be [completions, tokens] but has shape {Show(completionMask)}.", nameof(completionMask));
        if (truncated.Length != completionMask.shape[0])
            throw new ArgumentException(
                $"truncated has {truncated.Length} flags but completionMask has shape {Show(completionMask)}; there must be one flag per completion.",
                nameof(truncated));

        using var scope = NewDisposeScope();
        var keepRow = tensor(truncated.Select(isTruncated => !isTruncated).ToArray(), device: completionMask.device).unsqueeze(-1);
        return where(keepRow, completionMask, zeros_like(completionMask)).MoveToOuterDisposeScope();
    }

    // The clip fractions come from ρ and the trust region whatever the policy loss: for clip they count the tokens whose
    // gradient the clip removed; for cispo and sapo, which keep every token's gradient, they say how off-policy the batch is.
    static GrpoStats ComputeStats(Tensor loss, Tensor ratio, Tensor advantage, Tensor? kl, Tensor weights, Tensor padding, Tensor lengths, double lowerBound, double upperBound)
    {
        using var noGrad = no_grad();
        var tokenCount = weights.sum();
        var tokens = tokenCount.clamp_min(1.0);
        var lowClipped = ratio.lt(lowerBound).logical_and(advantage.lt(0.0)).to_type(weights.dtype);
        var highClipped = ratio.gt(upperBound).logical_and(advantage.gt(0.0)).to_type(weights.dtype);
        var clipLow = Read((lowClipped * weights).sum() / tokens);
        var clipHigh = Read((highClipped * weights).sum() / tokens);
        var meanKl = kl is null ? 0f : Read((kl * weights).sum() / tokens);
        var hasTokens = Read(tokenCount) > 0f;
        var ratioMin = hasTokens ? Read(ratio.masked_fill(padding, double.PositiveInfinity).min()) : float.NaN;
        var ratioMax = hasTokens ? Read(ratio.masked_fill(padding, double.NegativeInfinity).max()) : float.NaN;
        return new GrpoStats(Read(loss), meanKl, clipLow, clipHigh, clipLow + clipHigh, ratioMin, ratioMax, Read(lengths.mean()));
    }

    // k3 rather than k1: k1's mean is unbiased too but its per-token terms take both signs, so over a few hundred tokens
    // it can read negative; k3 never does (Schulman 2020). Its log-ratio is clamped as the correction clamps it, so one
    // wild token cannot overflow the mean; |Δ| is reported unclamped.
    static GrpoStats MismatchStats(GrpoStats stats, RolloutCorrectionInputs inputs, RolloutCorrectionWeights correction)
    {
        using var noGrad = no_grad();
        var tokens = inputs.Mask.sum().clamp_min(1.0);
        var delta = inputs.LearnerLogProbs - inputs.RolloutLogProbs;
        var clamped = delta.clamp(-RolloutCorrectionRatio.LogRatioLimit, RolloutCorrectionRatio.LogRatioLimit);
        var k3 = clamped.exp() - 1.0 - clamped;
        return stats with
        {
            RolloutLogProbDelta = Read((delta.abs() * inputs.Mask).sum() / tokens),
            RolloutKl = Read((k3 * inputs.Mask).sum() / tokens),
            RolloutCorrectedFraction = Read((correction.Corrected * inputs.Mask).sum() / tokens),
        };
    }

    static void ValidateInputs(Tensor logProbs, Tensor oldLogProbs, Tensor? refLogProbs, Tensor completionMask, Tensor advantages)
    {
        if (logProbs.dim() != 2)
            throw new ArgumentException($"logProbs must be [completions, tokens] but has shape {Show(logProbs)}.", nameof(logProbs));
        if (!logProbs.is_floating_point())
            throw new ArgumentException($"logProbs must be a floating-point tensor but has dtype {logProbs.dtype}.", nameof(logProbs));
        SameShape(oldLogProbs, nameof(oldLogProbs), logProbs);
        if (refLogProbs is not null)
            SameShape(refLogProbs, nameof(refLogProbs), logProbs);
        SameShape(completionMask, nameof(completionMask), logProbs);
        if (advantages.dim() != 1 || advantages.shape[0] != logProbs.shape[0])
            throw new ArgumentException(
                $"advantages has shape {Show(advantages)} but logProbs has shape {Show(logProbs)}; advantages must be [completions] = [{logProbs.shape[0]}].",
                nameof(advantages));
        FloatingPoint(oldLogProbs, nameof(oldLogProbs));
        if (refLogProbs is not null)
            FloatingPoint(refLogProbs, nameof(refLogProbs));
        FloatingPoint(advantages, nameof(advantages));
        if (completionMask.dtype != ScalarType.Bool)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            if (completionMask.ne(0).logical_and(completionMask.ne(1)).any().item<bool>())
                throw new ArgumentException("completionMask must hold only 0 and 1 (or be a bool tensor).", nameof(completionMask));
        }
    }

    static void SameShape(Tensor candidate, string name, Tensor logProbs)
    {
        if (!candidate.shape.SequenceEqual(logProbs.shape))
            throw new ArgumentException(
                $"{name} has shape {Show(candidate)} but logProbs has shape {Show(logProbs)}; they must match ([completions, tokens]).", name);
    }

    static void FloatingPoint(Tensor candidate, string name)
    {
        if (!candidate.is_floating_point())
            throw new ArgumentException($"{name} must be a floating-point tensor but has dtype {candidate.dtype}.", name);
    }

    static string Show(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";

    static float Read(Tensor scalar)
    {
        using var asDouble = scalar.to_type(ScalarType.Float64);
        return (float)asDouble.item<double>();
    }
}
