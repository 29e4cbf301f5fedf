using System.Text.Json;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>The built-in components by their registered names, as a run configuration selects them.</summary>
internal static class BuiltIns
{
    public static readonly GrpoRegistries DefaultRegistries = GrpoRegistries.CreateDefault();

    public static ILossAggregation Aggregation(string name) => DefaultRegistries.LossAggregations.Create(name, Arguments("loss_type"));

    public static IKlEstimator Kl(string name) => DefaultRegistries.KlEstimators.Create(name, Arguments("kl_estimator"));

    public static IPolicyLoss PolicyLoss(string name, string parametersJson = "{}") =>
        DefaultRegistries.PolicyLosses.Create(name, Arguments("policy_loss", parametersJson));

    public static IAdvantageEstimator Advantages(string name, string parametersJson = "{}") =>
        DefaultRegistries.AdvantageEstimators.Create(name, Arguments("advantage_estimator", parametersJson));

    public static IRolloutCorrection RolloutCorrection(string name, string parametersJson = "{}") =>
        DefaultRegistries.RolloutCorrections.Create(name, Arguments("rollout_correction", parametersJson));

    public static ComponentArguments Arguments(string path, string parametersJson = "{}") =>
        new(path, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(parametersJson));
}
