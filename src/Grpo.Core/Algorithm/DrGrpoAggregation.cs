using System.Globalization;
using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Dr. GRPO (Liu et al. 2025, "Understanding R1-Zero-Like Training", arXiv:2503.20783): a constant denominator,
/// <c>Σ_{i,t} loss_{i,t} / (G · max_completion_tokens)</c>, so that neither a completion's length nor the batch's token
/// count rescales its tokens' gradients (TRL's <c>loss_type="dr_grpo"</c>, veRL's <c>seq-mean-token-sum-norm</c>).
/// The budget is <see cref="GrpoOptions.MaxCompletionTokens"/>, the same number that limits generation.
/// </summary>
[GrpoComponent("dr_grpo", Description = "Dr. GRPO: sum over all tokens / (completions × max_completion_tokens), free of length bias.")]
public sealed record DrGrpoAggregation : ILossAggregation
{
    public torch.Tensor Aggregate(LossAggregationInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.MaxCompletionTokens <= 0)
            throw new ArgumentException(
                $"dr_grpo divides by completions × max completion tokens, but the budget given is {inputs.MaxCompletionTokens}.", nameof(inputs));
        EnsureCompletionsFitBudget(inputs.Lengths, inputs.MaxCompletionTokens);
        var completions = inputs.CompletionsInMinibatch;
        return inputs.MaskedLoss.sum() / ((double)completions * inputs.MaxCompletionTokens);
    }

    public void Validate(GrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxCompletionTokens <= 0)
            throw new ArgumentException(
                $"GrpoOptions.{nameof(GrpoOptions.MaxCompletionTokens)} must be > 0 when the loss aggregation is dr_grpo, " +
                $"whose loss is divided by completions × MaxCompletionTokens (it is {options.MaxCompletionTokens}).",
                nameof(GrpoOptions.MaxCompletionTokens));
    }

    static void EnsureCompletionsFitBudget(torch.Tensor lengths, int maxCompletionTokens)
    {
        using var longestTensor = lengths.max();
        using var asDouble = longestTensor.to_type(torch.ScalarType.Float64);
        var longest = asDouble.item<double>();
        if (longest > maxCompletionTokens)
            throw new ArgumentException(
                $"completionMask has a completion with {longest.ToString(CultureInfo.InvariantCulture)} tokens but GrpoOptions.MaxCompletionTokens is {maxCompletionTokens}; " +
                "dr_grpo's constant denominator assumes no completion is longer than the budget.",
                "completionMask");
    }
}
