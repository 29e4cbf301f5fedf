using System.Diagnostics;
using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// The GRPO update without any cluster around it: recomputes log-probs of the sampled completions under the
/// current policy (and, once per batch, under the frozen reference), then runs μ passes of minibatch AdamW updates
/// on the clipped surrogate plus β·KL. A minibatch may be processed in micro-batches whose gradients accumulate into
/// its one update (<see cref="LearnerOptions.MicroBatchSize"/>), in float32 or on a bfloat16 working copy
/// (<see cref="LearnerOptions.ComputeDtype"/>). The ratio's π_old is the rollout's recorded log-probs or the learner's
/// own, recomputed before the first update (<see cref="LearnerOptions.OldLogProbs"/>); either way the objective gets both
/// views for the rollout correction and the mismatch statistics. A NaN or infinite loss or gradient stops the step with a
/// <see cref="NonFiniteTrainingException"/> before the update is applied. Not thread-safe: one engine thread owns it.
/// </summary>
public sealed class GrpoLearner : IDisposable
{
    readonly CausalLM policy;
    readonly IReferencePolicy? reference;
    readonly LearnerOptions options;
    readonly int padTokenId;
    readonly LowPrecisionPolicy? lowPrecision;
    readonly (string Name, Parameter Parameter)[] trainable;

    public GrpoLearner(CausalLM policy, CausalLM? reference, LearnerOptions options, int padTokenId)
        : this(policy, options, padTokenId, reference is null ? null : new FrozenModelReference(reference))
    {
    }

    /// <param name="reference">π_ref for β &gt; 0: a frozen copy, or with LoRA the policy with its adapters off.</param>
    public GrpoLearner(CausalLM policy, LearnerOptions options, int padTokenId, IReferencePolicy? reference)
    {
        options.Validate();
        if (options.Objective.Beta > 0 && reference is null)
            throw new ArgumentException($"beta = {options.Objective.Beta} needs a reference model; pass one or set beta to 0.");
        this.policy = policy;
        this.reference = options.Objective.Beta > 0 ? reference : null;
        this.options = options;
        this.padTokenId = padTokenId;
        // Frozen parameters (a LoRA base, say) get neither optimizer state nor a finiteness check; names stay the
        // Hugging Face keys, which checkpoints store the moments under.
        trainable = [.. policy.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter))];
        Optimizer = new AdamW(trainable, options.Optimizer);
        if (options.ComputeDtype != ScalarType.Float32)
            lowPrecision = new LowPrecisionPolicy(policy, options.ComputeDtype);
        // The learner owns how its passes trade memory for time; generation (KV-cached, no grad) ignores the flag.
        policy.GradientCheckpointing = options.GradientCheckpointing;
        if (lowPrecision is not null) lowPrecision.Model.GradientCheckpointing = options.GradientCheckpointing;
    }

    public AdamW Optimizer { get; }

    /// <summary>Time spent, over all calls, on the frozen reference's log-probs (forward only).</summary>
    public TimeSpan ReferenceTime { get; private set; }

    /// <summary>Time spent, over all calls, recomputing π_old log-probs before the first update (<see cref="OldLogProbSource.Recompute"/>).</summary>
    public TimeSpan OldLogProbTime { get; private set; }

    /// <summary>Time spent, over all calls, on the policy's forward and backward passes (log-probs, objective, gradients).</summary>
    public TimeSpan ForwardBackwardTime { get; private set; }

    /// <summary>Time spent, over all calls, on gradient clipping and the AdamW updates.</summary>
    public TimeSpan OptimizerTime { get; private set; }

    public LearnerOptions Options => options;

    public LearnerStepResult Train(IReadOnlyList<CompletionSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("the learner was given no completions.");
        for (var i = 0; i < samples.Count; i++) samples[i].Validate(i);

        // The masters may have been changed since the last update (a checkpoint or weights loaded into the policy).
        lowPrecision?.Refresh();
        var plan = MinibatchPlan.Create(samples, options.MiniBatchSize, options.EffectiveMicroBatchSize(options.MiniBatchSize), options.GroupByLength);
        var referenceStart = Stopwatch.GetTimestamp();
        var referenceLogProbs = plan.Minibatches.Select(minibatch => minibatch.Select(ReferenceLogProbs).ToArray()).ToArray();
        ReferenceTime += Stopwatch.GetElapsedTime(referenceStart);
        try
        {
            var learnerOld = new LearnerOldLogProbs();
            if (options.OldLogProbs == OldLogProbSource.Recompute)
            {
                var recomputeStart = Stopwatch.GetTimestamp();
                foreach (var microBatch in plan.Minibatches.SelectMany(m => m))
                    RecomputeOldLogProbs(microBatch, learnerOld);
                OldLogProbTime += Stopwatch.GetElapsedTime(recomputeStart);
            }

            var accumulated = new StatsAccumulator();
            var updatesInStep = options.NumIterations * plan.Minibatches.Count;
            for (var pass = 0; pass < options.NumIterations; pass++)
                for (var b = 0; b < plan.Minibatches.Count; b++)
                    accumulated.Add(Update(plan.Minibatches[b], referenceLogProbs[b], learnerOld, accumulated.Count + 1, updatesInStep));
            return accumulated.Result(samples.Sum(s => s.CompletionTokens.Length) * options.NumIterations, plan.PaddingFraction);
        }
        finally
        {
            foreach (var t in referenceLogProbs.SelectMany(m => m)) t?.Dispose();
        }
    }

    Tensor? ReferenceLogProbs(CompletionSample[] microBatch)
    {
        if (reference is null) return null;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (logProbs, _) = reference.Evaluate(model => SequenceLogProbs.Completions(
            model, microBatch.Select(s => s.PromptTokens).ToArray(), microBatch.Select(s => s.CompletionTokens).ToArray(),
            options.Temperature, padTokenId, options.LogProbChunkSize));
        return logProbs.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// π_old as the learner computes it, with the same model, numerics and micro-batch composition as the update's own
    /// forward pass, so that without a rollout mismatch the first update's ratio is exactly 1. It is the policy that
    /// sampled, which decodes in eval mode: with LoRA dropout a training-mode pass would draw a dropout mask, and the
    /// logged rollout/learner mismatch would count that noise as a difference of numerics.
    /// </summary>
    void RecomputeOldLogProbs(CompletionSample[] microBatch, LearnerOldLogProbs learnerOld)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var model = lowPrecision?.Model ?? policy;
        var training = model.training;
        model.eval();
        try
        {
            var (logProbs, _) = SequenceLogProbs.Completions(
                model, microBatch.Select(s => s.PromptTokens).ToArray(), microBatch.Select(s => s.CompletionTokens).ToArray(),
                options.Temperature, padTokenId, options.LogProbChunkSize);
            learnerOld.Remember(microBatch, logProbs);
        }
        finally
        {
            if (training) model.train();
        }
    }

    /// <summary>Unmasked completion tokens of <paramref name="samples"/>, as the objective's mask will count them.</summary>
    long CountedTokens(IEnumerable<CompletionSample> samples) =>
        samples.Where(s => !(options.MaskTruncated && s.Truncated)).Sum(s => (long)s.CompletionTokens.Length);

    (GrpoStats Stats, float GradNorm, double LearningRate) Update(
        CompletionSample[][] microBatches, Tensor?[] referenceLogProbs, LearnerOldLogProbs learnerOld, int updateInStep, int updatesInStep)
    {
        var forwardStart = Stopwatch.GetTimestamp();
        var stats = AccumulateGradients(microBatches, referenceLogProbs, learnerOld, updateInStep, updatesInStep);
        var optimizerStart = Stopwatch.GetTimestamp();
        ForwardBackwardTime += Stopwatch.GetElapsedTime(forwardStart, optimizerStart);

        if (FirstNonFiniteGradient() is { } parameterName)
            throw Refuse($"gradient of parameter {parameterName}", updateInStep, updatesInStep);
        var gradNorm = options.MaxGradNorm > 0
            ? (float)nn.utils.clip_grad_norm_(Optimizer.Parameters, options.MaxGradNorm)
            : GlobalGradNorm();
        // Finite gradients can still overflow the norm; clipping by an infinite norm would zero them silently.
        if (!float.IsFinite(gradNorm))
            throw Refuse($"gradient norm ({gradNorm})", updateInStep, updatesInStep);
        var learningRate = options.LearningRate.At(Optimizer.Step);
        Optimizer.Update(learningRate);
        Optimizer.ZeroGrad();
        lowPrecision?.Refresh();
        OptimizerTime += Stopwatch.GetElapsedTime(optimizerStart);
        return (stats, gradNorm, learningRate);
    }

    /// <summary>
    /// Leaves the gradient of the minibatch loss in the trainable parameters' gradients, computed micro-batch by
    /// micro-batch, and returns the minibatch's statistics. Any gradient left from before is cleared first.
    /// </summary>
    /// <param name="learnerOld">The step's π_learner_old so far; completions it does not hold yet take this pass's log-probs, detached.</param>
    internal GrpoStats AccumulateGradients(
        CompletionSample[][] microBatches, Tensor?[] referenceLogProbs, LearnerOldLogProbs learnerOld, int updateInStep = 1, int updatesInStep = 1)
    {
        Optimizer.ZeroGrad();
        lowPrecision?.ZeroGrad();
        var totals = new MinibatchTotals(microBatches.Sum(m => m.Length), CountedTokens(microBatches.SelectMany(m => m)));
        var model = lowPrecision?.Model ?? policy;
        var stats = new MicroBatchStats();
        for (var i = 0; i < microBatches.Length; i++)
        {
            using var scope = NewDisposeScope();
            var microBatch = microBatches[i];
            var (logProbs, mask) = SequenceLogProbs.Completions(
                model, microBatch.Select(s => s.PromptTokens).ToArray(), microBatch.Select(s => s.CompletionTokens).ToArray(),
                options.Temperature, padTokenId, options.LogProbChunkSize);
            if (options.MaskTruncated)
                mask = GrpoObjective.MaskTruncated(mask, microBatch.Select(s => s.Truncated).ToArray());
            var width = (int)logProbs.shape[1];
            var rolloutLogProbs = LogProbRows.Padded(microBatch.Select(s => s.BehaviourLogProbs).ToArray(), width);
            if (!learnerOld.Has(microBatch))
                learnerOld.Remember(microBatch, logProbs);
            var learnerOldLogProbs = learnerOld.Padded(microBatch, width);
            var oldLogProbs = options.OldLogProbs == OldLogProbSource.Recompute ? learnerOldLogProbs : rolloutLogProbs;
            var advantages = tensor(microBatch.Select(s => s.Advantage).ToArray());

            var result = GrpoObjective.Compute(logProbs, oldLogProbs, referenceLogProbs[i], mask, advantages, options.Objective, totals,
                new BehaviourMismatch(learnerOldLogProbs, rolloutLogProbs));
            if (!float.IsFinite(result.Stats.Loss))
                throw Refuse($"loss ({result.Stats.Loss}) of micro-batch {i + 1} of {microBatches.Length}", updateInStep, updatesInStep);
            result.Loss.backward();
            lowPrecision?.MoveGradientsToMasters();
            stats.Add(result.Stats, CountedTokens(microBatch), microBatch.Length);
        }
        return stats.Combined();
    }

    /// <summary>
    /// The gradient of one minibatch's loss, processed in micro-batches of <paramref name="microBatchSize"/>, left in the
    /// trainable parameters' gradients without an update: what <see cref="Train"/> accumulates before each update.
    /// </summary>
    internal GrpoStats MinibatchGradient(CompletionSample[] minibatch, int microBatchSize)
    {
        lowPrecision?.Refresh();
        var microBatches = MinibatchPlan.Create(minibatch, minibatch.Length, microBatchSize, groupByLength: false).Minibatches.Single();
        var referenceLogProbs = microBatches.Select(ReferenceLogProbs).ToArray();
        try
        {
            return AccumulateGradients(microBatches, referenceLogProbs, new LearnerOldLogProbs());
        }
        finally
        {
            foreach (var t in referenceLogProbs) t?.Dispose();
        }
    }

    /// <summary>Clears every gradient so nothing of the refused minibatch reaches a later update, and builds the error.</summary>
    NonFiniteTrainingException Refuse(string quantity, int updateInStep, int updatesInStep)
    {
        Optimizer.ZeroGrad();
        lowPrecision?.ZeroGrad();
        return new NonFiniteTrainingException(quantity, updateInStep, updatesInStep, Optimizer.Step + 1);
    }

    /// <summary>The name of the first trainable parameter whose gradient holds a NaN or infinity, read with one sync.</summary>
    string? FirstNonFiniteGradient()
    {
        using var scope = NewDisposeScope();
        var checkedParameters = trainable.Where(p => p.Parameter.grad is not null).ToArray();
        if (checkedParameters.Length == 0) return null;
        var finite = stack(checkedParameters.Select(p => p.Parameter.grad!.isfinite().all()).ToArray());
        if (finite.all().item<bool>()) return null;
        var flags = finite.data<bool>().ToArray();
        return checkedParameters[Array.IndexOf(flags, false)].Name;
    }

    float GlobalGradNorm()
    {
        using var scope = NewDisposeScope();
        var squares = Optimizer.Parameters.Where(p => p.grad is not null).Select(p => p.grad!.square().sum()).ToArray();
        return squares.Length == 0 ? 0f : MathF.Sqrt(stack(squares).sum().item<float>());
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        lowPrecision?.Dispose();
    }

    sealed class StatsAccumulator
    {
        readonly List<(GrpoStats Stats, float GradNorm, double LearningRate)> updates = new();

        public int Count => updates.Count;

        public void Add((GrpoStats Stats, float GradNorm, double LearningRate) update) => updates.Add(update);

        public LearnerStepResult Result(int trainedTokens, float paddingFraction) => new(
            Loss: updates.Average(u => u.Stats.Loss),
            MeanKl: updates.Average(u => u.Stats.MeanKl),
            ClipFraction: updates.Average(u => u.Stats.ClipFraction),
            ClipFractionLow: updates.Average(u => u.Stats.ClipFractionLow),
            ClipFractionHigh: updates.Average(u => u.Stats.ClipFractionHigh),
            RatioMin: updates.Min(u => u.Stats.RatioMin),
            RatioMax: updates.Max(u => u.Stats.RatioMax),
            MeanCompletionLength: updates.Average(u => u.Stats.MeanCompletionLength),
            GradNorm: updates.Average(u => u.GradNorm),
            LearningRate: updates[^1].LearningRate,
            OptimizerUpdates: updates.Count,
            TrainedTokens: trainedTokens,
            PaddingFraction: paddingFraction,
            RolloutLogProbDelta: updates.Average(u => u.Stats.RolloutLogProbDelta),
            RolloutKl: updates.Average(u => u.Stats.RolloutKl),
            RolloutCorrectedFraction: updates.Average(u => u.Stats.RolloutCorrectedFraction));
    }
}
