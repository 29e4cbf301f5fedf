using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Training;

namespace Grpo.Grains.Runs;

/// <summary>Translates the run configuration (the wire contract) into the options of the core algorithms.</summary>
public static class RunOptions
{
    public static GrpoOptions Objective(RunConfig config) => new()
    {
        EpsilonLow = config.Epsilon,
        EpsilonHigh = config.EpsilonHigh,
        Beta = config.Beta,
        Kl = config.KlEstimator switch
        {
            KlEstimatorKind.K1 => KlEstimator.K1,
            KlEstimatorKind.K2 => KlEstimator.K2,
            _ => KlEstimator.K3,
        },
        Loss = config.LossType switch
        {
            LossKind.Bnpo => LossType.Bnpo,
            LossKind.Dapo => LossType.Dapo,
            LossKind.DrGrpo => LossType.DrGrpo,
            _ => LossType.Grpo,
        },
        ImportanceSampling = config.ImportanceSampling == ImportanceSamplingKind.Sequence
            ? Core.Algorithm.ImportanceSampling.Sequence
            : Core.Algorithm.ImportanceSampling.Token,
        MaxCompletionTokens = config.MaxCompletionTokens,
    };

    public static ScaleRewards Scale(RunConfig config) => config.ScaleRewards switch
    {
        ScaleRewardsKind.Batch => ScaleRewards.Batch,
        ScaleRewardsKind.None => ScaleRewards.None,
        _ => ScaleRewards.Group,
    };

    public static LearnerOptions Learner(RunConfig config) => new()
    {
        Objective = Objective(config),
        NumIterations = config.NumIterations,
        MiniBatchSize = config.MinibatchSize,
        LearningRate = new LearningRateSchedule
        {
            Kind = config.LrSchedule == Abstractions.Configuration.LearningRateScheduleKind.WarmupCosine
                ? Core.Training.LearningRateScheduleKind.WarmupCosine
                : Core.Training.LearningRateScheduleKind.Constant,
            PeakLearningRate = config.LearningRate,
            WarmupSteps = config.LrWarmupSteps,
            // One optimizer update per minibatch per pass: the schedule counts updates, not run steps.
            TotalSteps = config.Steps * config.NumIterations * UpdatesPerStep(config),
        },
        Optimizer = new AdamWOptions { WeightDecay = config.WeightDecay },
        MaxGradNorm = config.MaxGradNorm,
        Temperature = config.Temperature,
        MaskTruncated = config.MaskTruncated,
    };

    public static SamplingOptions Sampling(RunConfig config, int eosTokenId) => Sampling(config, [eosTokenId]);

    /// <param name="stopTokenIds">Every token that ends a completion (a model's EOS, the chat template's end of turn).</param>
    public static SamplingOptions Sampling(RunConfig config, IReadOnlyList<int> stopTokenIds) => new()
    {
        Temperature = config.Temperature,
        TopP = config.TopP,
        TopK = config.TopK,
        MaxNewTokens = config.MaxCompletionTokens,
        EosTokenIds = stopTokenIds,
        StopStrings = config.StopStrings,
    };

    static int UpdatesPerStep(RunConfig config) =>
        (config.PromptsPerStep * config.GroupSize + config.MinibatchSize - 1) / config.MinibatchSize;
}
