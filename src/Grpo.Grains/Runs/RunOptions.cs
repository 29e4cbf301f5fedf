using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Registries;
using Grpo.Core.Training;
using TorchSharp;

namespace Grpo.Grains.Runs;

/// <summary>Translates the run configuration (the wire contract) into the options of the core algorithms.</summary>
public static class RunOptions
{
    /// <summary>The built-in components, for callers that were not given a host's registries.</summary>
    static readonly GrpoRegistries BuiltIns = GrpoRegistries.CreateDefault();

    /// <summary>The objective with the policy loss, loss aggregation, KL estimator and rollout correction the configuration selects.</summary>
    /// <exception cref="ComponentException">A selection names no registered component or has a bad parameter.</exception>
    public static GrpoOptions Objective(RunConfig config, GrpoRegistries? registries = null) =>
        GrpoOptions.FromRegistries(registries ?? BuiltIns,
            policyLoss: Selection(config.PolicyLoss, nameof(RunConfig.PolicyLoss)),
            aggregation: Selection(config.LossType, nameof(RunConfig.LossType)),
            kl: Selection(config.KlEstimator, nameof(RunConfig.KlEstimator)),
            rolloutCorrection: Selection(config.RolloutCorrection, nameof(RunConfig.RolloutCorrection))) with
        {
            EpsilonLow = config.Epsilon,
            EpsilonHigh = config.EpsilonHigh,
            Beta = config.Beta,
            ImportanceSampling = EnumNames.Parse<ImportanceSampling>(config.ImportanceSampling, KeyOf(nameof(RunConfig.ImportanceSampling))),
            MaxCompletionTokens = config.MaxCompletionTokens,
        };

    /// <summary>The advantage estimator the configuration selects.</summary>
    /// <exception cref="ComponentException">The selection names no registered estimator or has a bad parameter.</exception>
    public static IAdvantageEstimator Advantages(RunConfig config, GrpoRegistries? registries = null)
    {
        var (name, arguments) = Selection(config.AdvantageEstimator, nameof(RunConfig.AdvantageEstimator));
        return (registries ?? BuiltIns).AdvantageEstimators.Create(name, arguments);
    }

    static (string Name, ComponentArguments Arguments) Selection(ComponentSpec spec, string propertyName) =>
        (spec.Name, new ComponentArguments(KeyOf(propertyName), spec.ParametersAsJson()));

    public static LearnerOptions Learner(RunConfig config, GrpoRegistries? registries = null) => new()
    {
        Objective = Objective(config, registries),
        NumIterations = config.NumIterations,
        MiniBatchSize = config.MinibatchSize,
        MicroBatchSize = config.MicroBatchSize,
        GroupByLength = config.GroupByLength,
        ComputeDtype = LearnerComputeDtype(config),
        LogProbChunkSize = config.LogProbChunkSize,
        GradientCheckpointing = config.GradientCheckpointing,
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
        OldLogProbs = EnumNames.Parse<OldLogProbSource>(config.OldLogProbs, KeyOf(nameof(RunConfig.OldLogProbs))),
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

    static torch.ScalarType LearnerComputeDtype(RunConfig config) => config.LearnerComputeDtype switch
    {
        "float32" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        var other => throw new ComponentException(KeyOf(nameof(RunConfig.LearnerComputeDtype)), $"'{other}' is not one of float32, bfloat16"),
    };

    static string KeyOf(string propertyName) => RunConfigKeys.ForProperty(propertyName).Name;

    static int UpdatesPerStep(RunConfig config) =>
        (config.PromptsPerStep * config.GroupSize + config.MinibatchSize - 1) / config.MinibatchSize;
}
