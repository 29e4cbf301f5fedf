using Grpo.Core.Algorithm;

namespace Grpo.Core.Training;

public sealed record LearnerOptions
{
    public GrpoOptions Objective { get; init; } = new();
    /// <summary>μ: optimisation passes over each batch of completions.</summary>
    public int NumIterations { get; init; } = 1;
    /// <summary>Completions per optimizer update; a batch larger than this is split into minibatches.</summary>
    public int MiniBatchSize { get; init; } = 64;
    public LearningRateSchedule LearningRate { get; init; } = new();
    public AdamWOptions Optimizer { get; init; } = new();
    /// <summary>Gradients are clipped to this global L2 norm; 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>The sampling temperature: log-probs are recomputed under the same tempered distribution.</summary>
    public float Temperature { get; init; } = 1f;
    public bool MaskTruncated { get; init; }

    public void Validate()
    {
        Objective.Validate();
        LearningRate.Validate();
        Optimizer.Validate();
        if (NumIterations < 1) throw new ArgumentException($"num_iterations must be at least 1, got {NumIterations}.", nameof(NumIterations));
        if (MiniBatchSize < 1) throw new ArgumentException($"minibatch size must be at least 1, got {MiniBatchSize}.", nameof(MiniBatchSize));
        if (MaxGradNorm < 0) throw new ArgumentException($"max_grad_norm must not be negative, got {MaxGradNorm}.", nameof(MaxGradNorm));
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be positive, got {Temperature}.", nameof(Temperature));
    }
}
