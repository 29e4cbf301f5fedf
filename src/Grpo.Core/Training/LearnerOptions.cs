using Grpo.Core.Algorithm;
using static TorchSharp.torch;

namespace Grpo.Core.Training;

public sealed record LearnerOptions
{
    public GrpoOptions Objective { get; init; } = new();
    /// <summary>μ: optimisation passes over each batch of completions.</summary>
    public int NumIterations { get; init; } = 1;
    /// <summary>Completions per optimizer update; a batch larger than this is split into minibatches.</summary>
    public int MiniBatchSize { get; init; } = 64;
    /// <summary>
    /// Completions per forward/backward pass (gradient accumulation): a minibatch is processed in micro-batches of this
    /// size (the last may be smaller) whose gradients add up to the minibatch's before its single optimizer update.
    /// 0 processes each minibatch in one pass.
    /// </summary>
    public int MicroBatchSize { get; init; }
    /// <summary>
    /// Sort the step's completions by total length (prompt + completion) before cutting minibatches and micro-batches,
    /// so rows of one forward pass have similar lengths and little padding. It changes which completions share an
    /// update, hence the training trajectory, so it is off by default.
    /// </summary>
    public bool GroupByLength { get; init; }
    /// <summary>
    /// Number format of the policy's forward and backward passes: Float32, or BFloat16 on a working copy refreshed from
    /// the float32 master weights after every update (the optimizer state stays float32).
    /// </summary>
    public ScalarType ComputeDtype { get; init; } = ScalarType.Float32;
    /// <summary>Tokens per chunk of the vocabulary projection when log-probs are computed; 0 projects all at once.</summary>
    public int LogProbChunkSize { get; init; }
    /// <summary>Recompute each decoder layer's activations during the backward pass instead of keeping them.</summary>
    public bool GradientCheckpointing { get; init; }
    public LearningRateSchedule LearningRate { get; init; } = new();
    public AdamWOptions Optimizer { get; init; } = new();
    /// <summary>Gradients are clipped to this global L2 norm; 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>The sampling temperature: log-probs are recomputed under the same tempered distribution.</summary>
    public float Temperature { get; init; } = 1f;
    public bool MaskTruncated { get; init; }
    /// <summary>Where the ratio's π_old comes from: the rollout's recorded log-probs, or the learner's recomputed ones.</summary>
    public OldLogProbSource OldLogProbs { get; init; } = OldLogProbSource.Rollout;

    /// <summary>Completions of one forward/backward pass within a minibatch of <paramref name="minibatchSize"/>.</summary>
    public int EffectiveMicroBatchSize(int minibatchSize) => MicroBatchSize == 0 ? minibatchSize : Math.Min(MicroBatchSize, minibatchSize);

    public void Validate()
    {
        Objective.Validate();
        LearningRate.Validate();
        Optimizer.Validate();
        if (NumIterations < 1) throw new ArgumentException($"num_iterations must be at least 1, got {NumIterations}.", nameof(NumIterations));
        if (MiniBatchSize < 1) throw new ArgumentException($"minibatch size must be at least 1, got {MiniBatchSize}.", nameof(MiniBatchSize));
        if (MicroBatchSize < 0) throw new ArgumentException($"micro_batch_size must be 0 (whole minibatch) or more, got {MicroBatchSize}.", nameof(MicroBatchSize));
        if (ComputeDtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"learner_compute_dtype must be Float32 or BFloat16, got {ComputeDtype}.", nameof(ComputeDtype));
        if (LogProbChunkSize < 0) throw new ArgumentException($"logprob_chunk_size must be 0 (unchunked) or more, got {LogProbChunkSize}.", nameof(LogProbChunkSize));
        if (MaxGradNorm < 0) throw new ArgumentException($"max_grad_norm must not be negative, got {MaxGradNorm}.", nameof(MaxGradNorm));
        if (!Enum.IsDefined(OldLogProbs)) throw new ArgumentException($"old_logprobs is not a known source ({(int)OldLogProbs}).", nameof(OldLogProbs));
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be positive, got {Temperature}.", nameof(Temperature));
    }
}
