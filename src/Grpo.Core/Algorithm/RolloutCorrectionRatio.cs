using System.Globalization;
using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>The ratio π_learner_old / π_rollout that every rollout correction starts from, and their shared parameters.</summary>
internal static class RolloutCorrectionRatio
{
    /// <summary>
    /// veRL clamps the log-ratio to ±20 before exp (<c>SAFETY_BOUND</c> in <c>rollout_corr_helper.py</c>): a sequence
    /// sum over hundreds of tokens overflows float32 otherwise. Any cap or bound a run can use lies well inside e^±20.
    /// </summary>
    public const double LogRatioLimit = 20.0;

    /// <summary>
    /// [completions, tokens]: per token <c>exp(Δ_t)</c>, or per completion <c>exp(Σ_t Δ_t)</c> repeated over its tokens,
    /// with <c>Δ_t = logπ_learner_old(o_t) − logπ_rollout(o_t)</c> over the tokens that count (veRL's
    /// <c>compute_rollout_correction_weights</c>; TRL's <c>per_token_logps_diff</c>, summed for <c>sequence_*</c> modes).
    /// </summary>
    public static torch.Tensor Of(RolloutCorrectionInputs inputs, RolloutCorrectionLevel level)
    {
        var logRatio = (inputs.LearnerLogProbs - inputs.RolloutLogProbs) * inputs.Mask;
        if (level == RolloutCorrectionLevel.Sequence)
            logRatio = logRatio.sum(-1, keepdim: true).expand(inputs.Mask.shape);
        return logRatio.clamp(-LogRatioLimit, LogRatioLimit).exp();
    }

    /// <summary>The <c>level</c> parameter: token (the default) or sequence.</summary>
    public static RolloutCorrectionLevel ReadLevel(ComponentArguments arguments) =>
        arguments.GetChoice("level", "token", "token", "sequence") == "sequence" ? RolloutCorrectionLevel.Sequence : RolloutCorrectionLevel.Token;

    /// <summary>A parameter that must be a finite number &gt; 0, refused under its own path so the error points at its line.</summary>
    public static double ReadPositive(ComponentArguments arguments, string name, double defaultValue)
    {
        var value = arguments.GetDouble(name, defaultValue);
        return IsPositive(value) ? value : throw new ComponentException($"{arguments.Path}.{name}", $"must be a finite number > 0, got {Show(value)}");
    }

    public static bool IsPositive(double value) => double.IsFinite(value) && value > 0.0;

    public static double Positive(double value, string component, string parameter, string property) =>
        IsPositive(value)
            ? value
            : throw new ArgumentException($"{component}'s {parameter} must be a finite number > 0 (it is {Show(value)}).", property);

    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
