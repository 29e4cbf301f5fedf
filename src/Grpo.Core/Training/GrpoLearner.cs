using System.Diagnostics;
using Grpo.Core.Algorithm;
using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

/// <summary>
/// The GRPO update without any cluster around it: recomputes log-probs of the sampled completions under the
/// current policy (and, once per batch, under the frozen reference), then runs μ passes of minibatch AdamW updates
/// on the clipped surrogate plus β·KL. Not thread-safe: one engine thread owns it.
/// </summary>
public sealed class GrpoLearner : IDisposable
{
    readonly CausalLM policy;
    readonly IReferencePolicy? reference;
    readonly LearnerOptions options;
    readonly int padTokenId;

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
        Optimizer = new AdamW(policy.named_parameters().Select(p => (p.name, p.parameter)), options.Optimizer);
    }

    public AdamW Optimizer { get; }

    /// <summary>Time spent, over all calls, on the frozen reference's log-probs (forward only).</summary>
    public TimeSpan ReferenceTime { get; private set; }

    /// <summary>Time spent, over all calls, on the policy's forward and backward passes (log-probs, objective, gradients).</summary>
    public TimeSpan ForwardBackwardTime { get; private set; }

    /// <summary>Time spent, over all calls, on gradient clipping and the AdamW updates.</summary>
    public TimeSpan OptimizerTime { get; private set; }

    public LearnerOptions Options => options;

    public LearnerStepResult Train(IReadOnlyList<CompletionSample> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("the learner was given no completions.");
        for (var i = 0; i < samples.Count; i++) samples[i].Validate(i);

        var minibatches = Enumerable.Range(0, (samples.Count + options.MiniBatchSize - 1) / options.MiniBatchSize)
            .Select(b => samples.Skip(b * options.MiniBatchSize).Take(options.MiniBatchSize).ToArray())
            .ToArray();
        var referenceStart = Stopwatch.GetTimestamp();
        var referenceLogProbs = minibatches.Select(ReferenceLogProbs).ToArray();
        ReferenceTime += Stopwatch.GetElapsedTime(referenceStart);
        try
        {
            var accumulated = new StatsAccumulator();
            for (var pass = 0; pass < options.NumIterations; pass++)
                for (var b = 0; b < minibatches.Length; b++)
                    accumulated.Add(Update(minibatches[b], referenceLogProbs[b]));
            return accumulated.Result(samples.Sum(s => s.CompletionTokens.Length) * options.NumIterations);
        }
        finally
        {
            foreach (var t in referenceLogProbs) t?.Dispose();
        }
    }

    Tensor? ReferenceLogProbs(CompletionSample[] minibatch)
    {
        if (reference is null) return null;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (logProbs, _) = reference.Evaluate(model => SequenceLogProbs.Completions(
            model, minibatch.Select(s => s.PromptTokens).ToArray(), minibatch.Select(s => s.CompletionTokens).ToArray(),
            options.Temperature, padTokenId));
        return logProbs.detach().MoveToOuterDisposeScope();
    }

    (GrpoStats Stats, float GradNorm, double LearningRate) Update(CompletionSample[] minibatch, Tensor? referenceLogProbs)
    {
        using var scope = NewDisposeScope();
        var forwardStart = Stopwatch.GetTimestamp();
        var (logProbs, mask) = SequenceLogProbs.Completions(
            policy, minibatch.Select(s => s.PromptTokens).ToArray(), minibatch.Select(s => s.CompletionTokens).ToArray(),
            options.Temperature, padTokenId);
        if (options.MaskTruncated)
            mask = GrpoObjective.MaskTruncated(mask, minibatch.Select(s => s.Truncated).ToArray());
        var oldLogProbs = PadRows(minibatch.Select(s => s.BehaviourLogProbs).ToArray(), (int)logProbs.shape[1]);
        var advantages = tensor(minibatch.Select(s => s.Advantage).ToArray());

        var result = GrpoObjective.Compute(logProbs, oldLogProbs, referenceLogProbs, mask, advantages, options.Objective);
        Optimizer.ZeroGrad();
        result.Loss.backward();
        var optimizerStart = Stopwatch.GetTimestamp();
        ForwardBackwardTime += Stopwatch.GetElapsedTime(forwardStart, optimizerStart);
        var gradNorm = options.MaxGradNorm > 0
            ? (float)nn.utils.clip_grad_norm_(Optimizer.Parameters, options.MaxGradNorm)
            : GlobalGradNorm();
        var learningRate = options.LearningRate.At(Optimizer.Step);
        Optimizer.Update(learningRate);
        Optimizer.ZeroGrad();
        OptimizerTime += Stopwatch.GetElapsedTime(optimizerStart);
        return (result.Stats, gradNorm, learningRate);
    }

    float GlobalGradNorm()
    {
        using var scope = NewDisposeScope();
        var squares = Optimizer.Parameters.Where(p => p.grad is not null).Select(p => p.grad!.square().sum()).ToArray();
        return squares.Length == 0 ? 0f : MathF.Sqrt(stack(squares).sum().item<float>());
    }

    static Tensor PadRows(float[][] rows, int width)
    {
        var flat = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
            Array.Copy(rows[i], 0, flat, i * width, Math.Min(rows[i].Length, width));
        return tensor(flat, new long[] { rows.Length, width });
    }

    public void Dispose() => Optimizer.Dispose();

    sealed class StatsAccumulator
    {
        readonly List<(GrpoStats Stats, float GradNorm, double LearningRate)> updates = new();

        public void Add((GrpoStats Stats, float GradNorm, double LearningRate) update) => updates.Add(update);

        public LearnerStepResult Result(int trainedTokens) => new(
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
            TrainedTokens: trainedTokens);
    }
}
