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
    static readonly string[] AllProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public long Total => Policy + Gradients + Optimizer + Reference + EngineCopy + Publication + Logits;

    /// <param name="tensors">The model's state_dict shapes by name (tied weights once, as the model holds them).</param>
    /// <param name="settings">The run settings in force (shared ones overridden by the case's).</param>
    public static MemoryAccounting Of(IReadOnlyDictionary<string, long[]> tensors, int vocabSize, IReadOnlyDictionary<string, string> settings)
    {
        var parameters = tensors.Values.Sum(Count);
        var loraRank = settings.TryGetValue("lora_rank", out var rank) ? int.Parse(rank, CultureInfo.InvariantCulture) : 0;
        var projections = tensors.Where(t => t.Value.Length == 2 && AllProjections.Any(m => t.Key.EndsWith($".{m}.weight", StringComparison.Ordinal))).ToArray();
        var targets = Targets(settings).ToArray();
        // A LoRA adapter of rank r on a [out, in] weight trains r x (in + out) values; without LoRA everything trains.
        var trainable = loraRank > 0
            ? projections.Where(t => targets.Any(m => t.Key.EndsWith($".{m}.weight", StringComparison.Ordinal)))
                .Sum(t => (long)loraRank * (t.Value[0] + t.Value[1]))
            : parameters;
        // lora_base_dtype bfloat16 holds the frozen projection weights (not embeddings or norms) in two bytes.
        var bf16Base = loraRank > 0 && settings.TryGetValue("lora_base_dtype", out var baseDtype) && baseDtype == "bfloat16";
        var projectionValues = projections.Sum(t => Count(t.Value));
        var baseBytes = bf16Base ? (parameters - projectionValues) * 4 + projectionValues * 2 : parameters * 4;
        var beta = settings.TryGetValue("beta", out var b) ? double.Parse(b, CultureInfo.InvariantCulture) : 0;
        var bf16Rollouts = settings.TryGetValue("compute_dtype", out var dtype) && dtype == "bfloat16";
        var rolloutBytes = bf16Rollouts ? 2 : 4;
        var minibatch = long.Parse(settings["minibatch_size"], CultureInfo.InvariantCulture);
        var microBatch = Setting(settings, "micro_batch_size") is > 0 and var micro ? Math.Min(micro, minibatch) : minibatch;
        var completionTokens = long.Parse(settings["max_completion_tokens"], CultureInfo.InvariantCulture);
        var chunk = Setting(settings, "logprob_chunk_size");
        var projectedTokens = chunk > 0 ? Math.Min(chunk, microBatch * completionTokens) : microBatch * completionTokens;
        return new MemoryAccounting(
            parameters,
            trainable,
            // The base (float32, or bfloat16 projections) plus, with LoRA, the float32 adapters.
            Policy: baseBytes + (loraRank > 0 ? trainable * 4 : 0),
            Gradients: trainable * 4,
            // AdamW's first and second moments, float32 each.
            Optimizer: trainable * 8,
            // A frozen float32 copy for the KL term; with LoRA the base weights (adapters off) are the reference.
            Reference: beta > 0 && loraRank == 0 ? parameters * 4 : 0,
            // The rollout engine's own model: the policy at the rollout precision; with LoRA, the rebuilt base and adapters.
            EngineCopy: loraRank > 0 ? (bf16Rollouts ? parameters * 2 : baseBytes) + trainable * 4 : parameters * rolloutBytes,
            // The newest published image (adapters only with LoRA); a colocated engine reads it in place, so its pull adds none.
            Publication: (loraRank > 0 ? trainable : parameters) * rolloutBytes,
            // One float32 [tokens, vocab] logits tensor of the learner's forward: a micro-batch's completion tokens, or one chunk.
            Logits: projectedTokens * vocabSize * 4);
    }

    static long Count(long[] shape) => shape.Aggregate(1L, (product, size) => product * size);

    static long Setting(IReadOnlyDictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;

    // lora_target_modules takes the short names (q, k, ..., down) or the module names; the default is every projection.
    static IEnumerable<string> Targets(IReadOnlyDictionary<string, string> settings)
    {
        if (!settings.TryGetValue("lora_target_modules", out var value)) return AllProjections;
        var names = value.TrimStart().StartsWith('[') ? JsonSerializer.Deserialize<string[]>(value) ?? [] : value.Split(',', StringSplitOptions.TrimEntries);
        return names.Select(name => name.EndsWith("_proj", StringComparison.Ordinal) ? name : name + "_proj");
    }
}
