using System.Text.Json;
using Grpo.Core.Algorithm;
using Grpo.Core.Registries;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>The built-in components by their registered names, as a run configuration selects them.</summary>
internal static class BuiltIns
{
    public static readonly GrpoRegistries Registries = GrpoRegistries.CreateDefault();

    public static ILossAggregation Aggregation(string name) => Registries.LossAggregations.Create(name, Arguments("loss_type"));

    public static IKlEstimator Kl(string name) => Registries.KlEstimators.Create(name, Arguments("kl_estimator"));

    public static IPolicyLoss PolicyLoss(string name, string parametersJson = "{}") =>
        Registries.PolicyLosses.Create(name, Arguments("policy_loss", parametersJson));

    public static IAdvantageEstimator Advantages(string name, string parametersJson = "{}") =>
        Registries.AdvantageEstimators.Create(name, Arguments("advantage_estimator", parametersJson));

    public static ComponentArguments Arguments(string path, string parametersJson = "{}") =>
        new(path, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(parametersJson));
}
