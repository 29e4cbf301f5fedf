using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Training;
using Grpo.Grains.Runs.Components;

namespace Grpo.Grains.Runs;

/// <summary>Translates the run configuration (the wire contract) into the options of the core algorithms.</summary>
public static class RunOptions
{
    /// <exception cref="Core.Registries.ComponentException">A selection names no component this build has (the configuration was not validated).</exception>
    public static GrpoOptions Objective(RunConfig config)
    {
        ObjectiveSelection.PolicyLoss(config.PolicyLoss);
        return Options(config);
    }

    static GrpoOptions Options(RunConfig config) => new()
    {
        EpsilonLow = config.Epsilon,
        EpsilonHigh = config.EpsilonHigh,
        Beta = config.Beta,
        Kl = ObjectiveSelection.Kl(config.KlEstimator),
        Loss = ObjectiveSelection.Aggregation(config.LossType),
        ImportanceSampling = EnumNames.Parse<ImportanceSampling>(config.ImportanceSampling, KeyOf(nameof(RunConfig.ImportanceSampling))),
        MaxCompletionTokens = config.MaxCompletionTokens,
    };

    /// <summary>What the advantage estimator divides the group-centred rewards by.</summary>
    public static ScaleRewards Scale(RunConfig config) => ObjectiveSelection.AdvantageScale(config.AdvantageEstimator);

    public static LearnerOptions Learner(RunConfig config) => new()
    {
        Objective = Objective(config),
        NumIterations = config.NumIterations,
        MiniBatchSize = config.MinibatchSize,
        LearningRate = new LearningRateSchedule
        {
            Kind = EnumNames.Parse<LearningRateScheduleKind>(config.LrSchedule, KeyOf(nameof(RunConfig.LrSchedule))),
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

    static string KeyOf(string propertyName) => RunConfigKeys.ForProperty(propertyName).Name;

    static int UpdatesPerStep(RunConfig config) =>
        (config.PromptsPerStep * config.GroupSize + config.MinibatchSize - 1) / config.MinibatchSize;
}
