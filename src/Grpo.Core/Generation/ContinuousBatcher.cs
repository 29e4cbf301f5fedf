using Grpo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Generation;

/// <summary>
/// Continuous batching over a KV cache of <see cref="Slots"/> slots: every <see cref="Step"/> first prefills waiting
/// requests into free slots, then advances every occupied slot by one token in a single forward. A finished completion
/// leaves its slot at once, so the next step can hand the slot to a waiting request instead of decoding a finished row
/// until the batch's longest one ends (what <see cref="Generator"/> does). The waiting requests with the same prompt as
/// the oldest one (a GRPO group) are admitted together and share one prefill. Each row sits at its own position: rotary
/// position and attention mask come from its slot's length, so a completion does not depend on its neighbours, and each
/// samples from its own <see cref="SampleKey"/>. Every token is tagged with <see cref="PolicyVersion"/>, the version of
/// the weights that sampled it; <see cref="WeightsChanged"/> lets rows still decoding go on with new weights (partial
/// rollouts). Not thread-safe: one thread (the torch thread) drives it.
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    readonly CausalLM model;
    readonly SamplingOptions options;
    readonly CompletionStop stop;
    readonly SlotKvCache cache;
    readonly DecodingRow?[] rows;
    readonly List<DecodeRequest> waiting = [];
    readonly int maxPromptTokens;
    long promptsPrefilled;
    long rowsRefilled;

    /// <summary>Rows whose cache one <see cref="WeightsChanged"/> forward rebuilds at a time, so its activations stay small.</summary>
    internal const int RefillRowsPerForward = 16;

    /// <param name="maxPromptTokens">the longest prompt a request may bring; a slot holds it plus options.MaxNewTokens</param>
    /// <param name="decode">turns completion tokens into text; needed only for stop strings</param>
    /// <param name="policyVersion">the version of the weights the model holds now, tagged on the tokens they sample</param>
    public ContinuousBatcher(
        CausalLM model, SamplingOptions options, int slots, int maxPromptTokens, Func<IReadOnlyList<int>, string>? decode = null, long policyVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        GenerationInputs.CheckOptions(model.Config.VocabSize, options, decode);
        if (slots <= 0)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "slots must be positive");
        if (maxPromptTokens <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxPromptTokens), maxPromptTokens, "maxPromptTokens must be positive");
        var capacity = maxPromptTokens + options.MaxNewTokens;
        if (capacity > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException(
                $"maxPromptTokens {maxPromptTokens} + SamplingOptions.MaxNewTokens {options.MaxNewTokens} exceeds the model's " +
                $"{model.Config.MaxPositionEmbeddings} positions", nameof(maxPromptTokens));
        this.model = model;
        this.options = options;
        this.maxPromptTokens = maxPromptTokens;
        stop = new CompletionStop(options, decode);
        cache = model.CreateSlotCache(slots, capacity);
        rows = new DecodingRow?[slots];
        PolicyVersion = policyVersion;
    }

    /// <summary>The version of the weights in the model: every token sampled from now on is tagged with it.</summary>
    public long PolicyVersion { get; private set; }

    /// <summary>Rows whose keys and values <see cref="WeightsChanged"/> recomputed with new weights so far.</summary>
    public long RowsRefilled => rowsRefilled;

    public int Slots => rows.Length;

    /// <summary>The longest prompt a request may bring.</summary>
    public int MaxPromptTokens => maxPromptTokens;
    public int ActiveCount => rows.Count(row => row is not null);
    public int WaitingCount => waiting.Count;

    /// <summary>Nothing decoding and nothing waiting.</summary>
    public bool IsIdle => waiting.Count == 0 && rows.All(row => row is null);

    /// <summary>Prompt prefills run so far: one per admitted group of identical prompts.</summary>
    public long PromptsPrefilled => promptsPrefilled;

    /// <summary>
    /// Tells the batcher that the model now holds the weights of <paramref name="version"/> (the caller loaded them in
    /// place, between steps). Rows still decoding go on with the new weights from the next token: their keys and values,
    /// computed by the old weights, are recomputed with the new ones over prompt and completion so far, so every later
    /// token is sampled from exactly the new policy given its prefix, as its version tag says. The tokens already sampled
    /// keep their tags and log-probs. With nothing decoding only the tag changes.
    /// </summary>
    public void WeightsChanged(long version)
    {
        var active = Enumerable.Range(0, rows.Length).Where(slot => rows[slot] is not null).ToArray();
        if (active.Length > 0 && version <= PolicyVersion)
            throw new ArgumentOutOfRangeException(nameof(version), version,
                $"rows are decoding with policy version {PolicyVersion}; they can only go on with a newer one");
        PolicyVersion = version;
        using var noGrad = no_grad();
        foreach (var chunk in active.Chunk(RefillRowsPerForward)) Refill(chunk);
    }

    /// <summary>
    /// Rebuilds the slots' caches with the model's current weights: prompt and every completion token but the newest,
    /// which the next decode step feeds in as usual, right-padded into one forward.
    /// </summary>
    void Refill(int[] slots)
    {
        using var scope = NewDisposeScope();
        var device = model.OutputWeight.device;
        var sequences = slots.Select(slot => rows[slot]!).Select(row => (int[])[.. row.Request.Prompt, .. row.Tokens.Take(row.Tokens.Count - 1)]).ToArray();
        var width = sequences.Max(sequence => sequence.Length);
        var ids = new long[slots.Length * width];
        var mask = new long[slots.Length * width];
        for (var r = 0; r < slots.Length; r++)
            for (var i = 0; i < sequences[r].Length; i++)
            {
                ids[r * width + i] = sequences[r][i];
                mask[r * width + i] = 1;
            }
        using var refill = model.CreateCache(slots.Length, width);
        model.FillCache(tensor(ids, [slots.Length, width], device: device), tensor(mask, [slots.Length, width], device: device), refill);
        for (var r = 0; r < slots.Length; r++)
            cache.Fill(refill, r, sequences[r].Length, [slots[r]]);
        rowsRefilled += slots.Length;
    }

    /// <summary>Queues a request; a later <see cref="Step"/> admits it when a slot is free.</summary>
    public void Enqueue(DecodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        GenerationInputs.CheckPrompt(request.Prompt, "request.Prompt", model.Config.VocabSize, nameof(request));
        if (request.Key is null) throw new ArgumentException("request.Key is null; every request samples from its own key", nameof(request));
        if (request.Prompt.Length > maxPromptTokens)
            throw new ArgumentException(
                $"request.Prompt has {request.Prompt.Length} tokens, more than the batcher's maxPromptTokens = {maxPromptTokens}", nameof(request));
        if (request.MaxNewTokens is { } limit && (limit <= 0 || limit > options.MaxNewTokens))
            throw new ArgumentException(
                $"request.MaxNewTokens = {limit} must be in [1, SamplingOptions.MaxNewTokens = {options.MaxNewTokens}]", nameof(request));
        waiting.Add(request);
    }

    /// <summary>Admits waiting requests into free slots, advances every occupied slot by one token, and returns the requests that finished.</summary>
    public IReadOnlyList<FinishedDecode> Step()
    {
        using var noGrad = no_grad();
        var finished = new List<FinishedDecode>();
        Admit(finished);
        if (rows.Any(row => row is not null)) Decode(finished);
        return finished;
    }

    /// <summary>Decodes <paramref name="requests"/> to the end (with whatever is already queued) and returns their completions in order.</summary>
    public IReadOnlyList<GeneratedSequence> Run(IReadOnlyList<DecodeRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        foreach (var request in requests) Enqueue(request);
        var done = new Dictionary<DecodeRequest, GeneratedSequence>(ReferenceEqualityComparer.Instance);
        while (!IsIdle)
            foreach (var (request, sequence) in Step())
                done[request] = sequence;
        return requests.Select(request => done[request]).ToArray();
    }

    void Admit(List<FinishedDecode> finished)
    {
        var free = new Queue<int>(Enumerable.Range(0, rows.Length).Where(slot => rows[slot] is null));
        var admitted = new List<(int[] Prompt, List<DecodeRequest> Group, int[] Slots)>();
        while (waiting.Count > 0 && free.Count > 0)
        {
            var prompt = waiting[0].Prompt;
            var group = waiting.Where(request => PromptComparer.Instance.Equals(request.Prompt, prompt)).Take(free.Count).ToList();
            foreach (var request in group) waiting.Remove(request);
            admitted.Add((prompt, group, group.Select(_ => free.Dequeue()).ToArray()));
        }
        if (admitted.Count > 0) Prefill(admitted, finished);
    }

    /// <summary>
    /// Runs every admitted group's prompt through the model once, in one right-padded batch (each prompt's tokens then
    /// sit at columns 0.. as a slot wants them; the pads after them are never attended to by the causal mask), gives
    /// its keys and values to every slot of the group and samples each row's first token.
    /// </summary>
    void Prefill(List<(int[] Prompt, List<DecodeRequest> Group, int[] Slots)> admitted, List<FinishedDecode> finished)
    {
        using var scope = NewDisposeScope();
        var device = model.OutputWeight.device;
        var width = admitted.Max(entry => entry.Prompt.Length);
        var ids = new long[admitted.Count * width];
        var mask = new long[admitted.Count * width];
        for (var p = 0; p < admitted.Count; p++)
            for (var i = 0; i < admitted[p].Prompt.Length; i++)
            {
                ids[p * width + i] = admitted[p].Prompt[i];
                mask[p * width + i] = 1;
            }
        using var prefillCache = model.CreateCache(admitted.Count, width);
        var logits = model.Forward(tensor(ids, [admitted.Count, width], device: device), tensor(mask, [admitted.Count, width], device: device), prefillCache);
        var lastColumns = tensor(admitted.Select(entry => (long)entry.Prompt.Length - 1).ToArray(), [admitted.Count, 1, 1], device: device);
        var lastLogits = logits.gather(1, lastColumns.expand(-1, 1, logits.shape[2])).squeeze(1);
        for (var p = 0; p < admitted.Count; p++)
            cache.Fill(prefillCache, p, admitted[p].Prompt.Length, admitted[p].Slots);
        promptsPrefilled += admitted.Count;

        var requests = admitted.SelectMany(entry => entry.Group).ToArray();
        var slots = admitted.SelectMany(entry => entry.Slots).ToArray();
        var sourceRows = tensor(admitted.SelectMany((entry, p) => entry.Group.Select(_ => (long)p)).ToArray(), [requests.Length], device: device);
        var keys = requests.Select(request => request.Key).ToArray();
        var (chosen, logProbs) = ChosenTokens.Pick(lastLogits.index_select(0, sourceRows), options,
            scaled => TokenSampler.ChooseKeyed(scaled, options, keys, new int[requests.Length]));
        for (var i = 0; i < requests.Length; i++)
        {
            rows[slots[i]] = new DecodingRow(requests[i], requests[i].MaxNewTokens ?? options.MaxNewTokens);
            Advance(slots[i], (int)chosen[i], logProbs[i], finished);
        }
    }

    void Decode(List<FinishedDecode> finished)
    {
        using var scope = NewDisposeScope();
        var active = Enumerable.Range(0, rows.Length).Where(slot => rows[slot] is not null).ToArray();
        var occupants = active.Select(slot => rows[slot]!).ToArray();
        var device = model.OutputWeight.device;
        var input = tensor(occupants.Select(row => (long)row.NextToken).ToArray(), [active.Length, 1], device: device);
        var logits = model.ForwardSlots(input, cache, active).select(1, 0);
        var keys = occupants.Select(row => row.Request.Key).ToArray();
        var positions = occupants.Select(row => row.Tokens.Count).ToArray();
        var (chosen, logProbs) = ChosenTokens.Pick(logits, options, scaled => TokenSampler.ChooseKeyed(scaled, options, keys, positions));
        for (var i = 0; i < active.Length; i++)
            Advance(active[i], (int)chosen[i], logProbs[i], finished);
    }

    /// <summary>Appends a token to the slot's completion and frees the slot at once if that ends it.</summary>
    void Advance(int slot, int token, float logProb, List<FinishedDecode> finished)
    {
        var row = rows[slot]!;
        row.Add(token, logProb, PolicyVersion);
        if (stop.After(row.Tokens, token, row.MaxNewTokens) is not { } reason) return;
        finished.Add(row.Finish(reason));
        rows[slot] = null;
        cache.Release(slot);
    }

    public void Dispose() => cache.Dispose();
}
