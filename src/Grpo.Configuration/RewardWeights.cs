using System.Text.Json;
using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>
/// The <c>weight</c> every entry of <c>rewards</c> may carry: a parameter of the run's weighted sum rather than of the
/// reward component, so it is read here and taken off before the component sees its parameters.
/// </summary>
public static class RewardWeights
{
    public const string Parameter = "weight";

    public const double Default = 1.0;

    /// <summary>The entry's weight, or null with a problem when it is given but not a finite number.</summary>
    public static double? Of(ComponentSpec reward, out string problem)
    {
        ArgumentNullException.ThrowIfNull(reward);
        problem = "";
        if (reward.Parameter(Parameter) is not { } element)
        {
            return Default;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var weight) && double.IsFinite(weight))
        {
            return weight;
        }

        problem = $"expected a finite number, got {RunConfigValueText.Describe(element)}";
        return null;
    }

    /// <summary>The entry's weight; the configuration was validated, so it is a finite number.</summary>
    public static double Of(ComponentSpec reward) =>
        Of(reward, out var problem) ?? throw new ArgumentException($"reward '{reward.Name}': weight {problem}", nameof(reward));

    /// <summary>The entry as its reward component sees it: without the weight.</summary>
    public static ComponentSpec WithoutWeight(ComponentSpec reward)
    {
        ArgumentNullException.ThrowIfNull(reward);
        return reward.WithoutParameter(Parameter);
    }
}
