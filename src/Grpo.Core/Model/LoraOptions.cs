namespace Grpo.Core.Model;

/// <summary>
/// Low-rank adapters (LoRA) on the decoder's linear projections: each target computes base(x) + (alpha / rank) · B(A(dropout(x)))
/// with A [rank, in] and B [out, rank] trainable and every base weight frozen. Field meanings follow PEFT's LoraConfig.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>Every projection of a decoder layer, in Hugging Face's names: the targets LoRA may adapt.</summary>
    public static readonly IReadOnlyList<string> AllTargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>PEFT's default lora_alpha; scale = alpha / rank.</summary>
    public const double DefaultAlpha = 8;

    public required int Rank { get; init; }

    public double Alpha { get; init; } = DefaultAlpha;

    /// <summary>Dropout on the adapter's input only (the base path never sees it), active in training mode.</summary>
    public double Dropout { get; init; }

    /// <summary>Hugging Face projection names (q_proj ... down_proj); short names (q ... down) are accepted by <see cref="TargetModuleName"/>.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = AllTargetModules;

    /// <summary>
    /// The dtype the frozen base projection weights are held in: "float32", or "bfloat16" to halve their memory.
    /// Computation stays float32 either way (see <see cref="LoraCapableLinear"/>).
    /// </summary>
    public string BaseDtype { get; init; } = "float32";

    /// <summary>alpha / rank, the factor on the adapter's output.</summary>
    public double Scale => Alpha / Rank;

    public static readonly IReadOnlyList<string> BaseDtypes = ["float32", "bfloat16"];

    /// <summary>The Hugging Face projection name for a configuration name: "q" → "q_proj"; full names pass through.</summary>
    /// <exception cref="ArgumentException">The name is neither a short nor a full projection name.</exception>
    public static string TargetModuleName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var full = name.EndsWith("_proj", StringComparison.Ordinal) ? name : name + "_proj";
        if (!AllTargetModules.Contains(full, StringComparer.Ordinal))
            throw new ArgumentException(
                $"'{name}' is not a LoRA target module; use one of {string.Join(", ", AllTargetModules)} (or q, k, v, o, gate, up, down)", nameof(name));
        return full;
    }

    /// <exception cref="ArgumentException">A field is out of range; the message names it and its value.</exception>
    public void Validate()
    {
        if (Rank <= 0)
            throw new ArgumentException($"LoRA rank must be positive, got {Rank}", nameof(Rank));
        if (!double.IsFinite(Alpha) || Alpha <= 0)
            throw new ArgumentException($"LoRA alpha must be a positive finite number, got {Alpha}", nameof(Alpha));
        if (!double.IsFinite(Dropout) || Dropout < 0 || Dropout >= 1)
            throw new ArgumentException($"LoRA dropout must be in [0, 1), got {Dropout}", nameof(Dropout));
        if (TargetModules is null || TargetModules.Count == 0)
            throw new ArgumentException("LoRA target modules must name at least one projection", nameof(TargetModules));
        foreach (var module in TargetModules)
            if (!AllTargetModules.Contains(module, StringComparer.Ordinal))
                throw new ArgumentException(
                    $"LoRA target module '{module}' is not one of {string.Join(", ", AllTargetModules)}", nameof(TargetModules));
        var duplicate = TargetModules.GroupBy(m => m, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"LoRA target module '{duplicate.Key}' is listed twice", nameof(TargetModules));
        if (!BaseDtypes.Contains(BaseDtype, StringComparer.Ordinal))
            throw new ArgumentException($"LoRA base dtype must be one of {string.Join(", ", BaseDtypes)}, got '{BaseDtype}'", nameof(BaseDtype));
    }
}
