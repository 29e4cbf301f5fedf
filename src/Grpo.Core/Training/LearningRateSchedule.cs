namespace Grpo.Core.Training;

public enum LearningRateScheduleKind { Constant, WarmupCosine }

/// <summary>Learning rate as a function of the optimizer step: constant, or linear warm-up then cosine decay.</summary>
public sealed record LearningRateSchedule
{
    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.Constant;
    public double PeakLearningRate { get; init; } = 1e-6;
    public int WarmupSteps { get; init; }
    /// <summary>Steps over which the cosine decays (warm-up included); needed by WarmupCosine.</summary>
    public int TotalSteps { get; init; }
    /// <summary>Where the cosine ends, as a fraction of the peak.</summary>
    public double MinLearningRateRatio { get; init; }

    public void Validate()
    {
        if (PeakLearningRate <= 0) throw new ArgumentException($"learning rate must be positive, got {PeakLearningRate}.", nameof(PeakLearningRate));
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps must not be negative, got {WarmupSteps}.", nameof(WarmupSteps));
        if (MinLearningRateRatio is < 0 or > 1) throw new ArgumentException($"minimum learning-rate ratio must be in [0, 1], got {MinLearningRateRatio}.", nameof(MinLearningRateRatio));
        if (Kind == LearningRateScheduleKind.WarmupCosine && TotalSteps <= WarmupSteps)
            throw new ArgumentException($"warmup_cosine needs total steps ({TotalSteps}) greater than warm-up steps ({WarmupSteps}).", nameof(TotalSteps));
    }

    /// <param name="step">0-based index of the optimizer update about to be applied.</param>
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return PeakLearningRate * (step + 1) / WarmupSteps;
        if (Kind == LearningRateScheduleKind.Constant)
            return PeakLearningRate;
        var progress = Math.Clamp((double)(step - WarmupSteps) / (TotalSteps - WarmupSteps), 0, 1);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return PeakLearningRate * (MinLearningRateRatio + (1 - MinLearningRateRatio) * cosine);
    }
}
