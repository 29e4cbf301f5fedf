using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>Learning-rate schedule of the GRPO optimizer (JSON: constant, warmup_cosine).</summary>
[GenerateSerializer, Alias("grpo.LearningRateScheduleKind"), JsonConverter(typeof(SnakeCaseEnumConverter<LearningRateScheduleKind>))]
public enum LearningRateScheduleKind
{
    /// <summary>The learning rate stays at learning_rate.</summary>
    Constant,

    /// <summary>Linear warm-up over lr_warmup_steps, then cosine decay over the remaining steps.</summary>
    WarmupCosine,
}
