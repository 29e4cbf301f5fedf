using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Grpo.Core.Model;

/// <summary>
/// Decoder-only causal language model of the Qwen2 / Qwen3 / Llama family. Parameter names equal Hugging Face's
/// (model.embed_tokens.weight, model.layers.{i}.self_attn.q_proj.weight, ..., lm_head.weight), so state_dict keys map
/// one to one onto a Hub checkpoint. With tied embeddings there is no lm_head and the output uses embed_tokens.weight.
/// </summary>
public sealed partial class CausalLM : nn.Module<Tensor, Tensor>
{
    /// <summary>Hugging Face's initializer_range default for these architectures.</summary>
    public const double InitializerStd = 0.02;

#pragma warning disable IDE1006 // Field names are the Hugging Face parameter names.
    readonly DecoderStack model;
    readonly Linear? lm_head;
#pragma warning restore IDE1006

    public CausalLM(ModelConfig config) : this(config, ScalarType.Float32)
    {
    }

    /// <param name="projectionDtype">
    /// The dtype the decoder projections are held in from construction (a frozen LoRA base in bfloat16), with the same
    /// values, rounded, as a float32 model of the same seed; embeddings, norms and lm_head stay float32.
    /// </param>
    public CausalLM(ModelConfig config, ScalarType projectionDtype) : base(nameof(CausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(nameof(ModelConfig));
        Config = config;
        model = new DecoderStack(config, projectionDtype);
        if (!config.TieWordEmbeddings)
            lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        InitialiseWeights();
    }

    public ModelConfig Config { get; }

    /// <summary>Recompute each decoder layer in backward instead of keeping its activations; see <see cref="DecoderStack.GradientCheckpointing"/>.</summary>
    public bool GradientCheckpointing
    {
        get => model.GradientCheckpointing;
        set => model.GradientCheckpointing = value;
    }

    /// <summary>Plain causal forward: [B, T] int64 → logits [B, T, V].</summary>
    public override Tensor forward(Tensor inputIds)
    {
        CheckIds(inputIds);
        using var scope = NewDisposeScope();
        var mask = ones_like(inputIds);
        return Forward(inputIds, mask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Forward with an attention mask [B, T] (1 real, 0 pad; padding left or right). Positions are cumsum(mask) - 1
    /// clamped at 0, pads are never attended to, and logits at pad positions are finite but meaningless.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return Project(HiddenStates(inputIds, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KV-cached forward: appends the new tokens' keys/values to <paramref name="cache"/> and returns logits for the new
    /// tokens only, [B, T, V]. <paramref name="attentionMask"/> covers everything so far, [B, cache.Length + T].
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        CheckIds(inputIds);
        var batch = inputIds.shape[0];
        var length = (int)inputIds.shape[1];
        if (batch != cache.BatchSize)
            throw new ArgumentException($"inputIds has batch size {batch} but the KV cache was created for {cache.BatchSize}", nameof(inputIds));
        cache.EnsureRoom(length);
        var past = cache.Length;
        CheckMask(attentionMask, batch, past + length);

        using var scope = NewDisposeScope();
        var (positions, allowed) = PositionsAndMask(attentionMask, past, length);
        var hidden = model.Forward(inputIds, positions, allowed, cache);
        cache.Advance(length);
        return Project(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the tokens through the model only to append their keys and values to <paramref name="cache"/>: no logits are
    /// projected, since a caller rebuilding a cache needs none ([B, T, V] would dwarf the cache itself).
    /// </summary>
    internal void FillCache(Tensor inputIds, Tensor attentionMask, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        CheckIds(inputIds);
        var length = (int)inputIds.shape[1];
        if (inputIds.shape[0] != cache.BatchSize)
            throw new ArgumentException($"inputIds has batch size {inputIds.shape[0]} but the KV cache was created for {cache.BatchSize}", nameof(inputIds));
        cache.EnsureRoom(length);
        var past = cache.Length;
        CheckMask(attentionMask, inputIds.shape[0], past + length);
        using var scope = NewDisposeScope();
        var (positions, allowed) = PositionsAndMask(attentionMask, past, length);
        model.Forward(inputIds, positions, allowed, cache);
        cache.Advance(length);
    }

    /// <summary>A preallocated cache for <paramref name="batchSize"/> rows and up to <paramref name="maxLength"/> positions (prompt + new tokens).</summary>
    public KvCache CreateCache(int batchSize, int maxLength)
    {
        var weight = model.EmbeddingWeight;
        return new KvCache(Config.NumHiddenLayers, batchSize, Config.NumKeyValueHeads, maxLength, Config.HeadDim, weight.dtype, weight.device);
    }

    /// <summary>A cache of <paramref name="slots"/> independent sequences of up to <paramref name="capacity"/> positions each.</summary>
    public SlotKvCache CreateSlotCache(int slots, int capacity)
    {
        var weight = model.EmbeddingWeight;
        return new SlotKvCache(Config.NumHiddenLayers, slots, Config.NumKeyValueHeads, capacity, Config.HeadDim, weight.dtype, weight.device);
    }

    /// <summary>
    /// One decode step of the sequences in <paramref name="slots"/> (ascending, distinct, each holding an unpadded
    /// sequence): row a feeds token <paramref name="inputIds"/>[a, 0] at its slot's own position (its length, not a
    /// shared batch column), attends to its slot's columns only, and returns logits [A, 1, V]. Each slot grows by one.
    /// </summary>
    internal Tensor ForwardSlots(Tensor inputIds, SlotKvCache cache, IReadOnlyList<int> slots)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(slots);
        CheckIds(inputIds);
        if (inputIds.shape[0] != slots.Count || inputIds.shape[1] != 1)
            throw new ArgumentException($"inputIds must be [{slots.Count}, 1] (one token per slot), got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        using var scope = NewDisposeScope();
        var device = inputIds.device;
        var lengths = slots.Select(slot => (long)cache.LengthOf(slot)).ToArray();
        var width = (int)lengths.Max() + 1;
        var columns = tensor(lengths, [slots.Count], device: device);
        var positions = columns.unsqueeze(1);
        // Key column s is visible to row a when s <= the row's own new position.
        var allowed = arange(width, ScalarType.Int64, device).unsqueeze(0).le(positions).unsqueeze(1).unsqueeze(1);
        var slotIndex = tensor(slots.Select(slot => (long)slot).ToArray(), [slots.Count], device: device);
        var hidden = model.Forward(inputIds, positions, allowed, cache.DecodeStep(slots, slotIndex, columns, width));
        cache.Advance(slots);
        return Project(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, hidden] for a masked, uncached forward; lets callers project only the rows they need.</summary>
    internal Tensor HiddenStates(Tensor inputIds, Tensor attentionMask)
    {
        CheckIds(inputIds);
        CheckMask(attentionMask, inputIds.shape[0], inputIds.shape[1]);
        using var scope = NewDisposeScope();
        var (positions, allowed) = PositionsAndMask(attentionMask, 0, (int)inputIds.shape[1]);
        return model.Forward(inputIds, positions, allowed, null).MoveToOuterDisposeScope();
    }

    /// <summary>Hidden states [..., hidden] → logits [..., V] through lm_head or the tied embedding.</summary>
    internal Tensor Project(Tensor hidden) =>
        lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, model.EmbeddingWeight);

    /// <summary>The [V, hidden] matrix <see cref="Project"/> multiplies by: lm_head.weight (no bias), or the tied embedding weight.</summary>
    internal Tensor OutputWeight => lm_head is not null ? lm_head.weight! : model.EmbeddingWeight;

    /// <summary>Position ids of the new tokens [B, T] and the bool attention pattern [B, 1, T, past + T].</summary>
    internal static (Tensor Positions, Tensor Allowed) PositionsAndMask(Tensor attentionMask, int past, int length)
    {
        var device = attentionMask.device;
        var real = attentionMask.ne(0);
        var total = past + length;
        var positions = (real.to_type(ScalarType.Int64).cumsum(1) - 1).clamp_min(0).narrow(1, past, length);
        var keyIndex = arange(total, ScalarType.Int64, device).unsqueeze(0);
        var queryIndex = arange(past, total, ScalarType.Int64, device).unsqueeze(1);
        var causal = keyIndex.le(queryIndex);
        var allowed = causal.unsqueeze(0).unsqueeze(0).logical_and(real.unsqueeze(1).unsqueeze(1));
        return (positions, allowed);
    }

    static void CheckIds(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"inputIds must be a [batch, length] int64 tensor, got {inputIds.dtype} [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
        if (inputIds.shape[0] == 0 || inputIds.shape[1] == 0)
            throw new ArgumentException($"inputIds must not be empty, got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));
    }

    static void CheckMask(Tensor attentionMask, long batch, long length)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != length)
            throw new ArgumentException(
                $"attentionMask must have shape [{batch}, {length}] (batch, cached + new tokens), got [{string.Join(", ", attentionMask.shape)}]",
                nameof(attentionMask));
    }

    // Hugging Face's _init_weights: linear and embedding weights ~ N(0, 0.02), biases zero, norms stay at ones.
    void InitialiseWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    nn.init.normal_(linear.weight, 0.0, InitializerStd);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case LoraCapableLinear projection:
                    projection.InitialiseWeightNormal(InitializerStd);
                    if (projection.Bias is not null) nn.init.zeros_(projection.Bias);
                    break;
                case Embedding embedding:
                    nn.init.normal_(embedding.weight, 0.0, InitializerStd);
                    break;
            }
        }
    }
}
