using System.Globalization;
using System.Text.Json;

namespace Grpo.Benchmarks;

/// <summary>
/// Where a case's memory is expected to go, in bytes, from the model's tensor shapes and the case's settings: what each
/// holder keeps for the whole run (fp32 master weights, AdamW's two moments, ...), so the measured peak can be read
/// against it. What the peak holds beyond the sum is runtime, allocator slack and transient copies.
/// </summary>
internal sealed record MemoryAccounting(
    long Parameters, long TrainableParameters, long Policy, long Gradients, long Optimizer, long Reference, long EngineCopy, long Publication, long Logits)
{
    public long Total => Policy + Gradients + Optimizer + Reference + EngineCopy + Publication + Logits;

    /// <param name="tensors">The model's state_dict shapes by name (tied weights once, as the model holds them).</param>
    /// <param name="settings">The run settings in force (shared ones overridden by the case's).</param>
    public static MemoryAccounting Of(IReadOnlyDictionary<string, long[]> tensors, int vocabSize, IReadOnlyDictionary<string, string> settings)
    {
        var parameters = tensors.Values.Sum(Count);
        var loraRank = settings.TryGetValue("lora_rank", out var rank) ? int.Parse(rank, CultureInfo.InvariantCulture) : 0;
        // A LoRA adapter of rank r on a [out, in] weight trains r x (in + out) values; without LoRA everything trains.
        var trainable = loraRank > 0
            ? tensors.Where(t => t.Value.Length == 2 && Targets(settings).Any(m => t.Key.EndsWith($".{m}.weight", StringComparison.Ordinal)))
                .Sum(t => (long)loraRank * (t.Value[0] + t.Value[1]))
            : parameters;
        var beta = settings.TryGetValue("beta", out var b) ? double.Parse(b, CultureInfo.InvariantCulture) : 0;
        var bf16Rollouts = settings.TryGetValue("compute_dtype", out var dtype) && dtype == "bfloat16";
        var rolloutBytes = bf16Rollouts ? 2 : 4;
        var minibatch = long.Parse(settings["minibatch_size"], CultureInfo.InvariantCulture);
        var completionTokens = long.Parse(settings["max_completion_tokens"], CultureInfo.InvariantCulture);
        return new MemoryAccounting(
            parameters,
            trainable,
            Policy: parameters * 4,
            Gradients: trainable * 4,
            // AdamW's first and second moments, float32 each.
            Optimizer: trainable * 8,
            // A frozen float32 copy for the KL term; with LoRA the base weights (adapters off) are the reference.
            Reference: beta > 0 && loraRank == 0 ? parameters * 4 : 0,
            EngineCopy: parameters * rolloutBytes,
            // The newest published image; a colocated engine reads it in place, so its pull adds none.
            Publication: parameters * rolloutBytes,
            // One float32 [minibatch, completion tokens, vocab] logits tensor of the learner's forward.
            Logits: minibatch * completionTokens * vocabSize * 4);
    }

    static long Count(long[] shape) => shape.Aggregate(1L, (product, size) => product * size);

    static IEnumerable<string> Targets(IReadOnlyDictionary<string, string> settings)
    {
        if (!settings.TryGetValue("lora_target_modules", out var value)) return ["q_proj", "k_proj", "v_proj", "o_proj"];
        return value.TrimStart().StartsWith('[') ? JsonSerializer.Deserialize<string[]>(value) ?? [] : value.Split(',', StringSplitOptions.TrimEntries);
    }
}
