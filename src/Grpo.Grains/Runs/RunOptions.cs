using System.Text.Json;
using Grpo.Abstractions.Configuration;
using Grpo.Core.Algorithm;
using Grpo.Core.Generation;
using Grpo.Core.Registries;
using Grpo.Core.Training;

namespace Grpo.Grains.Runs;

/// <summary>Translates the run configuration (the wire contract) into the options of the core algorithms.</summary>
public static class RunOptions
{
    /// <summary>The built-in components, for callers that were not given a host's registries.</summary>
    static readonly GrpoRegistries BuiltIns = GrpoRegistries.CreateDefault();

    /// <summary>The objective, its loss aggregation and KL estimator selected by their registry names (the config's enum values in snake_case).</summary>
    public static GrpoOptions Objective(RunConfig config, GrpoRegistries? registries = null) =>
        GrpoOptions.FromRegistries(registries ?? BuiltIns,
            aggregation: (RegistryName(config.LossType), new ComponentArguments("loss_type")),
            kl: (RegistryName(config.KlEstimator), new ComponentArguments("kl_estimator"))) with
        {
            EpsilonLow = config.Epsilon,
            EpsilonHigh = config.EpsilonHigh,
            Beta = config.Beta,
            ImportanceSampling = config.ImportanceSampling == ImportanceSamplingKind.Sequence
                ? Core.Algorithm.ImportanceSampling.Sequence
                : Core.Algorithm.ImportanceSampling.Token,
            MaxCompletionTokens = config.MaxCompletionTokens,
        };

    /// <summary>The group-relative (<c>grpo</c>) advantage estimator with the config's scale_rewards.</summary>
    public static IAdvantageEstimator Advantages(RunConfig config, GrpoRegistries? registries = null) =>
        (registries ?? BuiltIns).AdvantageEstimators.Create("grpo", new ComponentArguments("scale_rewards",
            new Dictionary<string, JsonElement> { ["scale"] = JsonSerializer.SerializeToElement(RegistryName(config.ScaleRewards)) }));

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

    static string RegistryName<TKind>(TKind kind)
        where TKind : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    static int UpdatesPerStep(RunConfig config) =>
        (config.PromptsPerStep * config.GroupSize + config.MinibatchSize - 1) / config.MinibatchSize;
}
